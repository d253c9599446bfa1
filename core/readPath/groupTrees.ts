// The package group tree of a domain, built once per change of its groups (the domain's groups serial is
// part of every repository record, so finding the right tree costs nothing per request).
import { GroupTree } from '../packageGroups/hierarchy.js';
import type { RepositoryRecord, StoreReads } from '../../storage/ports.js';

const MAX_TREES = 64;

export class GroupTrees {
  private readonly trees = new Map<string, Promise<GroupTree>>();

  constructor(private readonly store: StoreReads) {}

  of(repository: RepositoryRecord): Promise<GroupTree> {
    const key = `${repository.domainId}:${repository.domainGroupsSerial}`;
    let tree = this.trees.get(key);
    if (!tree) {
      tree = this.store.packageGroups.list(repository.domainId).then((records) => new GroupTree(records));
      tree.catch(() => this.trees.delete(key));
      if (this.trees.size >= MAX_TREES) this.trees.delete(this.trees.keys().next().value!);
      this.trees.set(key, tree);
    }
    return tree;
  }
}
