// PyPI as the registry sees it: PEP 503 names, PEP 440 versions, no namespaces.
import { basicFormat } from '../format.js';
import { pypiExternalFiles } from './ingest.js';
import { normalizeProjectName } from './names.js';
import { comparePypiVersions } from './versions.js';

export const pypiFormat = basicFormat('pypi', 'PyPI', 'none', {
  normalizeName: normalizeProjectName,
  compareVersions: comparePypiVersions,
  external: pypiExternalFiles,
});
