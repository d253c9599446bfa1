// Derived from the botocore model of CodeArtifact (2018-09-22): the constraints of every shape an
// operation's input can carry. Botocore checks only `min` and required members on the client; the rest
// (max, pattern, enum, list sizes) is ours to enforce, by core/validation.ts.

export type ShapeSpec =
  | { type: 'string'; min?: number; max?: number; pattern?: string; enum?: readonly string[] }
  | { type: 'integer' | 'long'; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'list'; member: string; min?: number; max?: number }
  | { type: 'map'; key: string; value: string; min?: number; max?: number }
  | { type: 'structure'; members: Record<string, string>; required?: readonly string[] };

export const shapes: Record<string, ShapeSpec> = {
  AccountId: { type: 'string', min: 12, max: 12, pattern: "[0-9]{12}" },
  AllowPublish: { type: 'string', enum: ["ALLOW", "BLOCK"] },
  AllowUpstream: { type: 'string', enum: ["ALLOW", "BLOCK"] },
  Arn: { type: 'string', min: 1, max: 1011, pattern: "\\S+" },
  AssetName: { type: 'string', min: 1, max: 255, pattern: "\\P{C}+" },
  AuthorizationTokenDurationSeconds: { type: 'long', min: 0, max: 43200 },
  BooleanOptional: { type: 'boolean' },
  Description: { type: 'string', max: 1000, pattern: "\\P{C}*" },
  DomainName: { type: 'string', min: 2, max: 50, pattern: "[a-z][a-z0-9\\-]{0,48}[a-z0-9]" },
  EndpointType: { type: 'string', enum: ["dualstack", "ipv4"] },
  ExternalConnectionName: { type: 'string', min: 2, max: 100, pattern: "[A-Za-z0-9][A-Za-z0-9._\\-:]{1,99}" },
  ListAllowedRepositoriesForGroupMaxResults: { type: 'integer', min: 1, max: 1000 },
  ListDomainsMaxResults: { type: 'integer', min: 1, max: 1000 },
  ListPackageGroupsMaxResults: { type: 'integer', min: 1, max: 1000 },
  ListPackageVersionAssetsMaxResults: { type: 'integer', min: 1, max: 1000 },
  ListPackageVersionsMaxResults: { type: 'integer', min: 1, max: 1000 },
  ListPackagesMaxResults: { type: 'integer', min: 1, max: 1000 },
  ListRepositoriesInDomainMaxResults: { type: 'integer', min: 1, max: 1000 },
  ListRepositoriesMaxResults: { type: 'integer', min: 1, max: 1000 },
  OriginRestrictions: { type: 'map', key: 'PackageGroupOriginRestrictionType', value: 'PackageGroupOriginRestrictionMode' },
  PackageFormat: { type: 'string', enum: ["npm", "pypi", "maven", "nuget", "generic", "ruby", "swift", "cargo"] },
  PackageGroupAllowedRepository: { type: 'structure', members: { repositoryName: 'RepositoryName', originRestrictionType: 'PackageGroupOriginRestrictionType' } },
  PackageGroupAllowedRepositoryList: { type: 'list', member: 'PackageGroupAllowedRepository' },
  PackageGroupContactInfo: { type: 'string', min: 0, max: 1000, pattern: "\\P{C}*" },
  PackageGroupOriginRestrictionMode: { type: 'string', enum: ["ALLOW", "ALLOW_SPECIFIC_REPOSITORIES", "BLOCK", "INHERIT"] },
  PackageGroupOriginRestrictionType: { type: 'string', enum: ["EXTERNAL_UPSTREAM", "INTERNAL_UPSTREAM", "PUBLISH"] },
  PackageGroupPattern: { type: 'string', min: 2, max: 520, pattern: "[^\\p{C}\\p{IsWhitespace}]+" },
  PackageGroupPatternPrefix: { type: 'string', min: 0, max: 520, pattern: "\\P{C}*" },
  PackageName: { type: 'string', min: 1, max: 255, pattern: "[^#/\\s]+" },
  PackageNamespace: { type: 'string', min: 1, max: 255, pattern: "[^#/\\s]+" },
  PackageOriginRestrictions: { type: 'structure', members: { publish: 'AllowPublish', upstream: 'AllowUpstream' }, required: ["publish", "upstream"] },
  PackageVersion: { type: 'string', min: 1, max: 255, pattern: "[^#/\\s]+" },
  PackageVersionList: { type: 'list', member: 'PackageVersion', max: 100 },
  PackageVersionOriginType: { type: 'string', enum: ["INTERNAL", "EXTERNAL", "UNKNOWN"] },
  PackageVersionRevision: { type: 'string', min: 1, max: 50, pattern: "\\S+" },
  PackageVersionRevisionMap: { type: 'map', key: 'PackageVersion', value: 'PackageVersionRevision' },
  PackageVersionSortType: { type: 'string', enum: ["PUBLISHED_TIME"] },
  PackageVersionStatus: { type: 'string', enum: ["Published", "Unfinished", "Unlisted", "Archived", "Disposed", "Deleted"] },
  PaginationToken: { type: 'string', min: 1, max: 2000, pattern: "\\S+" },
  PolicyDocument: { type: 'string', min: 1, max: 7168, pattern: "[\\P{C}\\s]+" },
  PolicyRevision: { type: 'string', min: 1, max: 100, pattern: "\\S+" },
  RepositoryName: { type: 'string', min: 2, max: 100, pattern: "[A-Za-z0-9][A-Za-z0-9._\\-]{1,99}" },
  SHA256: { type: 'string', min: 64, max: 64, pattern: "[0-9a-f]+" },
  String: { type: 'string' },
  Tag: { type: 'structure', members: { key: 'TagKey', value: 'TagValue' }, required: ["key", "value"] },
  TagKey: { type: 'string', min: 1, max: 128, pattern: "\\P{C}+" },
  TagKeyList: { type: 'list', member: 'TagKey', min: 0, max: 200 },
  TagList: { type: 'list', member: 'Tag', min: 0, max: 200 },
  TagValue: { type: 'string', min: 0, max: 256, pattern: "\\P{C}*" },
  UpstreamRepository: { type: 'structure', members: { repositoryName: 'RepositoryName' }, required: ["repositoryName"] },
  UpstreamRepositoryList: { type: 'list', member: 'UpstreamRepository' },
};
