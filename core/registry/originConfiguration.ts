// PutPackageOriginConfiguration: a package's own origin restrictions in one repository. Called on a package
// the repository does not hold yet, it creates the package record with no versions, so that publishing or
// ingesting can be blocked before anything arrives (as AWS documents).
import type { PutPackageOriginConfigurationRequest, PutPackageOriginConfigurationResult } from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import { ValidationError } from '../errors.js';
import type { Restriction, Store } from '../../storage/ports.js';
import { getRepository, packageKeyOf, required } from './lookup.js';

const RESTRICTIONS: readonly Restriction[] = ['ALLOW', 'BLOCK'];

export async function putPackageOriginConfiguration(
  store: Store,
  ctx: RequestContext,
  input: PutPackageOriginConfigurationRequest,
): Promise<PutPackageOriginConfigurationResult> {
  const key = packageKeyOf(input);
  const restrictions = required(input.restrictions, 'restrictions');
  const publish = required(restrictions.publish, 'restrictions.publish') as Restriction;
  const upstream = required(restrictions.upstream, 'restrictions.upstream') as Restriction;
  for (const r of [publish, upstream])
    if (!RESTRICTIONS.includes(r)) throw new ValidationError(`restrictions must be ALLOW or BLOCK, not ${r}`);
  await store.transaction(async (tx) => {
    const { repository } = await getRepository(tx, ctx, input);
    const pkg = await tx.packages.findOrCreate({
      repositoryId: repository.id,
      format: key.format.name,
      namespace: key.namespace,
      normalizedName: key.normalizedName,
      name: key.name,
      publish,
      upstream,
    });
    await tx.packages.setOrigin(pkg.id, { publish, upstream });
  });
  return { originConfiguration: { restrictions: { publish, upstream } } };
}
