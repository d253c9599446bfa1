// A domain's package groups as a tree: each group's parent is the most specific other group that contains
// it, a package belongs to the most specific group that matches it, and a restriction a group leaves to
// INHERIT comes from the nearest ancestor that sets it (the root '/*' always sets all three).
import type {
  GroupRestrictionMode,
  GroupRestrictionType,
  PackageGroupRecord,
} from '../../storage/ports.js';
import { compareSpecificity, contains, matches, parsePattern, type PackageCoordinates, type PatternKind } from './pattern.js';

export interface GroupNode {
  record: PackageGroupRecord;
  kind: PatternKind;
  parent: GroupNode | undefined;
}

export interface EffectiveRestriction {
  /** ALLOW, BLOCK or ALLOW_SPECIFIC_REPOSITORIES: never INHERIT. */
  mode: Exclude<GroupRestrictionMode, 'INHERIT'>;
  /** The group that sets it (itself, or the ancestor it inherits from). */
  from: GroupNode;
}

export class GroupTree {
  readonly nodes: GroupNode[];

  constructor(records: PackageGroupRecord[]) {
    const nodes: GroupNode[] = records.map((record) => ({ record, kind: parsePattern(record.pattern), parent: undefined }));
    for (const node of nodes) node.parent = GroupTree.mostSpecific(nodes.filter((o) => o !== node && contains(o.kind, node.kind) && !contains(node.kind, o.kind)));
    this.nodes = nodes;
  }

  private static mostSpecific(candidates: GroupNode[]): GroupNode | undefined {
    return candidates.sort((a, b) => compareSpecificity(b.kind, a.kind))[0];
  }

  find(pattern: string): GroupNode | undefined {
    return this.nodes.find((n) => n.record.pattern === pattern);
  }

  /** The group a package belongs to: the most specific one that matches it (the root at least). */
  groupOf(p: PackageCoordinates): GroupNode | undefined {
    return GroupTree.mostSpecific(this.nodes.filter((n) => matches(n.kind, p)));
  }

  /** The parent a group with this definition would have (for a group that does not exist yet). */
  parentFor(kind: PatternKind): GroupNode | undefined {
    return GroupTree.mostSpecific(this.nodes.filter((o) => contains(o.kind, kind) && !contains(kind, o.kind)));
  }

  children(node: GroupNode): GroupNode[] {
    return this.nodes.filter((n) => n.parent === node);
  }

  effective(node: GroupNode, type: GroupRestrictionType): EffectiveRestriction {
    for (let n: GroupNode | undefined = node; n; n = n.parent) {
      const mode = n.record.modes[type];
      if (mode !== 'INHERIT') return { mode, from: n };
    }
    // Only a tree without its root gets here (the root always sets its modes).
    return { mode: 'ALLOW', from: node };
  }

  /** Whether the package's group lets this kind of origin add versions to the repository. */
  allows(p: PackageCoordinates, type: GroupRestrictionType, repositoryName: string): boolean {
    const node = this.groupOf(p);
    if (!node) return true;
    const { mode, from } = this.effective(node, type);
    if (mode === 'ALLOW') return true;
    if (mode === 'BLOCK') return false;
    return from.record.allowedRepositories[type].includes(repositoryName);
  }
}
