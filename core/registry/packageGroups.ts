// Package groups: Create/Describe/Update/Delete/ListPackageGroups, ListSubPackageGroups,
// UpdatePackageGroupOriginConfiguration, ListAllowedRepositoriesForGroup, GetAssociatedPackageGroup and
// ListAssociatedPackages. The tree and the matching rules are in core/packageGroups; enforcement of the
// origin restrictions is in core/readPath/origins.ts (read path) and core/registry/publish.ts (publishing).
import type {
  CreatePackageGroupRequest,
  CreatePackageGroupResult,
  DeletePackageGroupRequest,
  DeletePackageGroupResult,
  DescribePackageGroupRequest,
  DescribePackageGroupResult,
  GetAssociatedPackageGroupRequest,
  GetAssociatedPackageGroupResult,
  ListAllowedRepositoriesForGroupRequest,
  ListAllowedRepositoriesForGroupResult,
  ListAssociatedPackagesRequest,
  ListAssociatedPackagesResult,
  ListPackageGroupsRequest,
  ListPackageGroupsResult,
  ListSubPackageGroupsRequest,
  ListSubPackageGroupsResult,
  PackageFormat,
  PackageGroupDescription,
  PackageGroupOriginRestriction,
  PackageGroupReference,
  UpdatePackageGroupOriginConfigurationRequest,
  UpdatePackageGroupOriginConfigurationResult,
  UpdatePackageGroupRequest,
  UpdatePackageGroupResult,
} from '@aws-sdk/client-codeartifact';
import { packageGroupArn } from '../arn.js';
import type { RequestContext } from '../context.js';
import { ConflictError, ResourceNotFoundError, ValidationError } from '../errors.js';
import { GroupTree, type GroupNode } from '../packageGroups/hierarchy.js';
import { parsePattern, type PackageCoordinates } from '../packageGroups/pattern.js';
import { inOrder, paginate } from '../pagination.js';
import {
  AlreadyExistsError,
  GROUP_RESTRICTION_TYPES,
  type DomainRecord,
  type GroupRestrictionMode,
  type GroupRestrictionType,
  type PackageGroupRecord,
  type Store,
  type StoreReads,
} from '../../storage/ports.js';
import { getDomain, packageKeyOf, required } from './lookup.js';
import { checkTagList, tagsOf } from './tags.js';

const ROOT = '/*';

const notFound = (pattern: string) => new ResourceNotFoundError(`Package group not found: ${pattern}`, undefined, pattern);

async function treeOf(store: StoreReads, domain: DomainRecord): Promise<GroupTree> {
  return new GroupTree(await store.packageGroups.list(domain.id));
}

function reference(ctx: RequestContext, domain: DomainRecord, node: GroupNode): PackageGroupReference {
  return { arn: packageGroupArn(ctx.region, domain.owner, domain.name, node.record.pattern), pattern: node.record.pattern };
}

export function describeGroup(ctx: RequestContext, domain: DomainRecord, tree: GroupTree, node: GroupNode): PackageGroupDescription {
  const restrictions: Partial<Record<GroupRestrictionType, PackageGroupOriginRestriction>> = {};
  for (const type of GROUP_RESTRICTION_TYPES) {
    const effective = tree.effective(node, type);
    restrictions[type] = {
      mode: node.record.modes[type],
      effectiveMode: effective.mode,
      inheritedFrom: effective.from !== node ? reference(ctx, domain, effective.from) : undefined,
      repositoriesCount: node.record.allowedRepositories[type].length,
    };
  }
  return {
    ...reference(ctx, domain, node),
    domainName: domain.name,
    domainOwner: domain.owner,
    createdTime: new Date(node.record.createdAt),
    contactInfo: node.record.contactInfo ?? undefined,
    description: node.record.description ?? undefined,
    originConfiguration: { restrictions },
    parent: node.parent ? reference(ctx, domain, node.parent) : undefined,
  };
}

async function getGroup(store: StoreReads, ctx: RequestContext, input: { domain?: string; domainOwner?: string; packageGroup?: string }) {
  const domain = await getDomain(store, ctx, input);
  const pattern = required(input.packageGroup, 'packageGroup');
  const tree = await treeOf(store, domain);
  const node = tree.find(pattern);
  if (!node) throw notFound(pattern);
  return { domain, tree, node };
}

const describe = (ctx: RequestContext, found: { domain: DomainRecord; tree: GroupTree; node: GroupNode }) =>
  describeGroup(ctx, found.domain, found.tree, found.node);

export async function createPackageGroup(
  store: Store,
  ctx: RequestContext,
  input: CreatePackageGroupRequest,
): Promise<CreatePackageGroupResult> {
  const pattern = required(input.packageGroup, 'packageGroup');
  parsePattern(pattern);
  const tags = tagsOf(input.tags);
  checkTagList(tags);
  const exists = () => new ConflictError(`Package group already exists: ${pattern}`, undefined, pattern);
  const domain = await store
    .transaction(async (tx) => {
      const domain = await getDomain(tx, ctx, input);
      if (await tx.packageGroups.find(domain.id, pattern)) throw exists();
      const modes = { PUBLISH: 'INHERIT', EXTERNAL_UPSTREAM: 'INHERIT', INTERNAL_UPSTREAM: 'INHERIT' } as const;
      const group = await tx.packageGroups.create({
        domainId: domain.id,
        pattern,
        description: input.description ?? null,
        contactInfo: input.contactInfo ?? null,
        createdAt: ctx.now.getTime(),
        modes,
        allowedRepositories: { PUBLISH: [], EXTERNAL_UPSTREAM: [], INTERNAL_UPSTREAM: [] },
      });
      await tx.tags.put({ type: 'package-group', id: group.id }, tags);
      return domain;
    })
    .catch((err: unknown) => {
      throw err instanceof AlreadyExistsError ? exists() : err;
    });
  const tree = await treeOf(store, domain);
  return { packageGroup: describeGroup(ctx, domain, tree, tree.find(pattern)!) };
}

export async function describePackageGroup(
  store: Store,
  ctx: RequestContext,
  input: DescribePackageGroupRequest,
): Promise<DescribePackageGroupResult> {
  return { packageGroup: describe(ctx, await getGroup(store, ctx, input)) };
}

export async function updatePackageGroup(
  store: Store,
  ctx: RequestContext,
  input: UpdatePackageGroupRequest,
): Promise<UpdatePackageGroupResult> {
  await store.transaction(async (tx) => {
    const { node } = await getGroup(tx, ctx, input);
    await tx.packageGroups.update(node.record.id, {
      description: input.description === undefined ? undefined : input.description || null,
      contactInfo: input.contactInfo === undefined ? undefined : input.contactInfo || null,
    });
  });
  return { packageGroup: describe(ctx, await getGroup(store, ctx, input)) };
}

/**
 * The root cannot be deleted. A group with sub-groups can: as AWS documents it, "the direct child package
 * groups will become children of the package group's direct parent package group" — which the tree, computed
 * from the patterns that remain, does by itself (and children inheriting from the deleted group now inherit
 * from that parent).
 */
export async function deletePackageGroup(
  store: Store,
  ctx: RequestContext,
  input: DeletePackageGroupRequest,
): Promise<DeletePackageGroupResult> {
  return store.transaction(async (tx) => {
    const found = await getGroup(tx, ctx, input);
    if (found.node.record.pattern === ROOT)
      throw new ValidationError(`The root package group ${ROOT} cannot be deleted`, 'OTHER');
    const description = describe(ctx, found);
    await tx.tags.removeAll({ type: 'package-group', id: found.node.record.id });
    await tx.packageGroups.delete(found.node.record.id);
    return { packageGroup: description };
  });
}

const byPattern = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function listPackageGroups(
  store: Store,
  ctx: RequestContext,
  input: ListPackageGroupsRequest,
): Promise<ListPackageGroupsResult> {
  const domain = await getDomain(store, ctx, input);
  const tree = await treeOf(store, domain);
  const nodes = tree.nodes.filter((n) => input.prefix === undefined || n.record.pattern.startsWith(input.prefix));
  const page = await paginate({
    secret: store.secret,
    scope: `ListPackageGroups:${JSON.stringify([domain.owner, domain.name, input.prefix])}`,
    query: input,
    ...inOrder(
      nodes.sort((a, b) => byPattern(a.record.pattern, b.record.pattern)),
      (n) => n.record.pattern,
      byPattern,
    ),
  });
  return { packageGroups: page.items.map((n) => describeGroup(ctx, domain, tree, n)), nextToken: page.nextToken };
}

export async function listSubPackageGroups(
  store: Store,
  ctx: RequestContext,
  input: ListSubPackageGroupsRequest,
): Promise<ListSubPackageGroupsResult> {
  const { domain, tree, node } = await getGroup(store, ctx, input);
  const page = await paginate({
    secret: store.secret,
    scope: `ListSubPackageGroups:${JSON.stringify([domain.owner, domain.name, node.record.pattern])}`,
    query: input,
    ...inOrder(
      tree.children(node).sort((a, b) => byPattern(a.record.pattern, b.record.pattern)),
      (n) => n.record.pattern,
      byPattern,
    ),
  });
  return { packageGroups: page.items.map((n) => describeGroup(ctx, domain, tree, n)), nextToken: page.nextToken };
}

const MODES: readonly GroupRestrictionMode[] = ['ALLOW', 'BLOCK', 'ALLOW_SPECIFIC_REPOSITORIES', 'INHERIT'];

export async function updatePackageGroupOriginConfiguration(
  store: Store,
  ctx: RequestContext,
  input: UpdatePackageGroupOriginConfigurationRequest,
): Promise<UpdatePackageGroupOriginConfigurationResult> {
  const updates: UpdatePackageGroupOriginConfigurationResult['allowedRepositoryUpdates'] = {};
  await store.transaction(async (tx) => {
    const { domain, node } = await getGroup(tx, ctx, input);
    const modes = { ...node.record.modes };
    for (const [type, mode] of Object.entries(input.restrictions ?? {}) as [GroupRestrictionType, GroupRestrictionMode][]) {
      if (!MODES.includes(mode)) throw new ValidationError(`Unknown restriction mode ${mode}`);
      if (mode === 'INHERIT' && node.record.pattern === ROOT)
        throw new ValidationError(`The root package group ${ROOT} has no parent to inherit ${type} from`);
      modes[type] = mode;
    }
    const allowed = {
      PUBLISH: [...node.record.allowedRepositories.PUBLISH],
      EXTERNAL_UPSTREAM: [...node.record.allowedRepositories.EXTERNAL_UPSTREAM],
      INTERNAL_UPSTREAM: [...node.record.allowedRepositories.INTERNAL_UPSTREAM],
    };
    const record = (type: GroupRestrictionType, kind: 'ADDED' | 'REMOVED', name: string) =>
      ((updates[type] ??= {})[kind] ??= []).push(name);
    for (const a of input.addAllowedRepositories ?? []) {
      const type = required(a.originRestrictionType, 'addAllowedRepositories.originRestrictionType') as GroupRestrictionType;
      const name = required(a.repositoryName, 'addAllowedRepositories.repositoryName');
      if (!(await tx.repositories.find(domain.id, name)))
        throw new ResourceNotFoundError(`Repository not found: ${name} in domain ${domain.name}`, 'repository', name);
      if (!allowed[type].includes(name)) {
        allowed[type].push(name);
        record(type, 'ADDED', name);
      }
    }
    for (const r of input.removeAllowedRepositories ?? []) {
      const type = required(r.originRestrictionType, 'removeAllowedRepositories.originRestrictionType') as GroupRestrictionType;
      const name = required(r.repositoryName, 'removeAllowedRepositories.repositoryName');
      if (allowed[type].includes(name)) {
        allowed[type] = allowed[type].filter((n) => n !== name);
        record(type, 'REMOVED', name);
      }
    }
    await tx.packageGroups.setOrigin(node.record.id, modes, allowed);
  });
  return { packageGroup: describe(ctx, await getGroup(store, ctx, input)), allowedRepositoryUpdates: updates };
}

export async function listAllowedRepositoriesForGroup(
  store: Store,
  ctx: RequestContext,
  input: ListAllowedRepositoriesForGroupRequest,
): Promise<ListAllowedRepositoriesForGroupResult> {
  const { domain, node } = await getGroup(store, ctx, input);
  const type = required(input.originRestrictionType, 'originRestrictionType') as GroupRestrictionType;
  const page = await paginate({
    secret: store.secret,
    scope: `ListAllowedRepositoriesForGroup:${JSON.stringify([domain.owner, domain.name, node.record.pattern, type])}`,
    query: input,
    ...inOrder([...node.record.allowedRepositories[type]].sort(byPattern), (n) => n, byPattern),
  });
  return { allowedRepositories: page.items, nextToken: page.nextToken };
}

/**
 * STRONG: the package's name as published matches the group's definition; WEAK: it matches only once the
 * format has normalized it (say PyPI's `My_Lib` against `/pypi//my-lib$`), a variation of the definition.
 */
function associationType(p: PackageCoordinates & { name: string }, tree: GroupTree, node: GroupNode): 'STRONG' | 'WEAK' {
  const asPublished = { ...p, normalizedName: p.name };
  return tree.groupOf(asPublished) === node ? 'STRONG' : 'WEAK';
}

export async function getAssociatedPackageGroup(
  store: Store,
  ctx: RequestContext,
  input: GetAssociatedPackageGroupRequest,
): Promise<GetAssociatedPackageGroupResult> {
  const key = packageKeyOf(input);
  const domain = await getDomain(store, ctx, input);
  const tree = await treeOf(store, domain);
  const coordinates = { format: key.format.name, namespace: key.namespace, normalizedName: key.normalizedName };
  const node = tree.groupOf(coordinates);
  if (!node) throw notFound(ROOT);
  return {
    packageGroup: describeGroup(ctx, domain, tree, node),
    associationType: associationType({ ...coordinates, name: key.name }, tree, node),
  };
}

/**
 * The packages of the domain (any repository) that belong to the group. With `preview`, the group need not
 * exist: the answer is what it would hold if it were created.
 */
export async function listAssociatedPackages(
  store: Store,
  ctx: RequestContext,
  input: ListAssociatedPackagesRequest,
): Promise<ListAssociatedPackagesResult> {
  const domain = await getDomain(store, ctx, input);
  const pattern = required(input.packageGroup, 'packageGroup');
  parsePattern(pattern);
  const records = await store.packageGroups.list(domain.id);
  if (!input.preview && !records.some((r) => r.pattern === pattern)) throw notFound(pattern);
  const tree = new GroupTree(
    records.some((r) => r.pattern === pattern) ? records : [...records, previewRecord(domain, pattern)],
  );
  const node = tree.find(pattern)!;
  type Key = [string, string, string];
  const page = await paginate({
    secret: store.secret,
    scope: `ListAssociatedPackages:${JSON.stringify([domain.owner, domain.name, pattern, input.preview ?? false])}`,
    query: input,
    // Scan the domain's packages in order, keeping those that belong to the group, until the page is full.
    fetch: async (after: Key | undefined, limit) => {
      const out: { format: string; namespace: string; normalizedName: string; name: string }[] = [];
      let cursor = after;
      for (;;) {
        const batch = await store.packages.listInDomain(domain.id, cursor, 500);
        for (const p of batch) if (tree.groupOf(p) === node && out.length < limit) out.push(p);
        if (out.length >= limit || batch.length < 500) return out;
        const last = batch[batch.length - 1]!;
        cursor = [last.format, last.namespace, last.normalizedName];
      }
    },
    cursorOf: (p) => [p.format, p.namespace, p.normalizedName] as Key,
  });
  return {
    packages: page.items.map((p) => ({
      format: p.format as PackageFormat,
      namespace: p.namespace || undefined,
      package: p.name,
      associationType: associationType(p, tree, node),
    })),
    nextToken: page.nextToken,
  };
}

function previewRecord(domain: DomainRecord, pattern: string): PackageGroupRecord {
  return {
    id: -1,
    domainId: domain.id,
    pattern,
    description: null,
    contactInfo: null,
    createdAt: 0,
    modes: { PUBLISH: 'INHERIT', EXTERNAL_UPSTREAM: 'INHERIT', INTERNAL_UPSTREAM: 'INHERIT' },
    allowedRepositories: { PUBLISH: [], EXTERNAL_UPSTREAM: [], INTERNAL_UPSTREAM: [] },
  };
}
