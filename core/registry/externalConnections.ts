// AssociateExternalConnection / DisassociateExternalConnection: one external connection per repository, as
// on AWS; the repository's description then lists it as Available.
import type {
  AssociateExternalConnectionRequest,
  AssociateExternalConnectionResult,
  DisassociateExternalConnectionRequest,
  DisassociateExternalConnectionResult,
} from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import { ConflictError, ResourceNotFoundError, ServiceQuotaExceededError, ValidationError } from '../errors.js';
import { EXTERNAL_CONNECTIONS, EXTERNAL_CONNECTION_NAMES } from '../externalConnections.js';
import type { Store } from '../../storage/ports.js';
import { repositoryDescription } from './describe.js';
import { getRepository, required } from './lookup.js';

export async function associateExternalConnection(
  store: Store,
  ctx: RequestContext,
  input: AssociateExternalConnectionRequest,
): Promise<AssociateExternalConnectionResult> {
  const name = required(input.externalConnection, 'externalConnection');
  const format = EXTERNAL_CONNECTIONS[name];
  if (!format)
    throw new ValidationError(`Unknown external connection ${name}: use one of ${EXTERNAL_CONNECTION_NAMES.join(', ')}`);
  const repository = await store.transaction(async (tx) => {
    const { repository } = await getRepository(tx, ctx, input);
    const existing = await tx.repositories.externalConnections(repository.id);
    if (existing.some((c) => c.name === name))
      throw new ConflictError(`Repository ${repository.name} already has the external connection ${name}`, 'repository', repository.name);
    if (existing.length > 0)
      throw new ServiceQuotaExceededError(
        `A repository can have one external connection; ${repository.name} has ${existing[0]!.name}`,
        'repository',
        repository.name,
      );
    await tx.repositories.addExternalConnection(repository.id, { name, format });
    return (await tx.repositories.findById(repository.id))!;
  });
  return { repository: await repositoryDescription(store, ctx, repository) };
}

export async function disassociateExternalConnection(
  store: Store,
  ctx: RequestContext,
  input: DisassociateExternalConnectionRequest,
): Promise<DisassociateExternalConnectionResult> {
  const name = required(input.externalConnection, 'externalConnection');
  const repository = await store.transaction(async (tx) => {
    const { repository } = await getRepository(tx, ctx, input);
    if (!(await tx.repositories.externalConnections(repository.id)).some((c) => c.name === name))
      throw new ResourceNotFoundError(`Repository ${repository.name} has no external connection ${name}`, 'repository', repository.name);
    await tx.repositories.removeExternalConnection(repository.id, name);
    return (await tx.repositories.findById(repository.id))!;
  });
  return { repository: await repositoryDescription(store, ctx, repository) };
}
