// External sources on the local disk, named by file:// URLs:
//   a PEP 503 tree:   DIR/<project>/index.html, whose links point at the files (relative or absolute);
//   a wheelhouse:     a flat folder of wheels and sdists (pip's find-links), matched by file name.
// Which one a folder is, is decided by what it holds: any <project>/index.html makes it a tree.
import { createReadStream, existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { normalizeProjectName } from '../../core/formats/pypi/names.js';
import { parseDistributionFilename } from '../../core/formats/pypi/filenames.js';
import type { ExternalFile, ExternalSource } from '../ports.js';
import { parseHtmlProjectPage } from './simplePage.js';

const open = async (file: ExternalFile) => {
  const p = file.location.startsWith('file:') ? fileURLToPath(file.location) : file.location;
  const st = await stat(p); // fails early (ENOENT) rather than mid-stream
  if (!st.isFile()) throw new Error(`${p} is not a file`);
  return createReadStream(p);
};

export function pep503TreeSource(dir: string): ExternalSource {
  return {
    description: pathToFileURL(dir).toString(),
    async projectFiles(_format, normalizedName) {
      const page = path.join(dir, normalizedName, 'index.html');
      if (!existsSync(page)) return undefined;
      const files = parseHtmlProjectPage(await readFile(page, 'utf8'), pathToFileURL(page).toString());
      // Links must stay local: a tree never sends us out to the network.
      const local = files.filter((f) => f.location.startsWith('file:'));
      for (const f of local) f.size = (await stat(fileURLToPath(f.location)).catch(() => undefined))?.size;
      return local;
    },
    openFile: open,
  };
}

export function wheelhouseSource(dir: string): ExternalSource {
  return {
    description: pathToFileURL(dir).toString(),
    async projectFiles(_format, normalizedName) {
      const files: ExternalFile[] = [];
      for (const name of (await readdir(dir)).sort()) {
        const parsed = parseDistributionFilename(name);
        if (!parsed || normalizeProjectName(parsed.name) !== normalizedName) continue;
        const location = path.join(dir, name);
        files.push({ filename: name, location, size: (await stat(location)).size });
      }
      return files.length > 0 ? files : undefined;
    },
    openFile: open,
  };
}

/** Whether a folder is laid out as a PEP 503 tree (some <project>/index.html). */
export async function isPep503Tree(dir: string): Promise<boolean> {
  for (const entry of await readdir(dir, { withFileTypes: true }))
    if (entry.isDirectory() && existsSync(path.join(dir, entry.name, 'index.html'))) return true;
  return false;
}
