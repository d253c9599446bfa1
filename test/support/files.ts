// Files on disk as tests compare them: every regular file under a folder, as "relative/path size", sorted.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Every file under `root` (recursively) as `relative/path size`, sorted; [] when `root` is missing. */
export function listFiles(root: string, base = root): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const full = path.join(root, name);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...listFiles(full, base));
    else out.push(`${path.relative(base, full)} ${st.size}`);
  }
  return out.sort();
}
