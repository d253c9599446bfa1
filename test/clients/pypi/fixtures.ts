// Sample Python projects, built offline into a temp dir with the real build tools:
//   setuptools projects ([project] table, setuptools.build_meta) with `/usr/bin/python3 -m build --no-isolation`
//   (sdist + wheel, or the wheel alone), and poetry-core projects for `poetry build` / `poetry publish`.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SYSTEM_PYTHON, expectSuccess, python, runTool, systemToolEnv } from './tools.js';

/** A one-module sample project, whatever builds it. */
export interface SampleProject {
  name: string;
  version: string;
  summary: string;
  /** README.md, which becomes the long description (Description-Content-Type text/markdown). */
  readme: string;
  /** Import name of the single package. */
  module: string;
  /** Its __init__.py. */
  code: string;
}

export interface SetuptoolsSpec extends SampleProject {
  /** `[project] dependencies`, as PEP 508 strings. */
  dependencies?: string[];
  requiresPython?: string;
  /** Build the wheel only (`-m build --wheel`). */
  wheelOnly?: boolean;
  /** Distinguishes two builds of the same name and version (e.g. different bytes under one file name). */
  tag?: string;
}

export interface AssetHashes {
  MD5: string;
  'SHA-1': string;
  'SHA-256': string;
  'SHA-512': string;
}

export interface Dist {
  path: string;
  filename: string;
  kind: 'wheel' | 'sdist';
  bytes: Buffer;
  size: number;
  sha256: string;
  md5: string;
  /** As the control plane reports them (ListPackageVersionAssets). */
  hashes: AssetHashes;
}

export interface Built {
  name: string;
  version: string;
  /** Holds exactly this build's files (a glob `distDir/*` uploads them). */
  distDir: string;
  files: Dist[];
  wheel: Dist;
  sdist?: Dist;
}

export function hashesOf(bytes: Buffer): AssetHashes {
  const h = (alg: string) => createHash(alg).update(bytes).digest('hex');
  return { MD5: h('md5'), 'SHA-1': h('sha1'), 'SHA-256': h('sha256'), 'SHA-512': h('sha512') };
}

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

export function distOf(file: string): Dist {
  const bytes = readFileSync(file);
  const hashes = hashesOf(bytes);
  return {
    path: file,
    filename: path.basename(file),
    kind: file.endsWith('.whl') ? 'wheel' : 'sdist',
    bytes,
    size: bytes.length,
    sha256: hashes['SHA-256'],
    md5: hashes.MD5,
    hashes,
  };
}

/** Every file in a dist dir, wheels first (the order twine uploads them in). */
export function distsIn(distDir: string, name: string, version: string): Built {
  const files = readdirSync(distDir)
    .filter((f) => f.endsWith('.whl') || f.endsWith('.tar.gz'))
    .sort((a, b) => Number(b.endsWith('.whl')) - Number(a.endsWith('.whl')) || a.localeCompare(b))
    .map((f) => distOf(path.join(distDir, f)));
  const wheel = files.find((f) => f.kind === 'wheel');
  if (!wheel) throw new Error(`no wheel in ${distDir}: ${readdirSync(distDir).join(', ')}`);
  return { name, version, distDir, files, wheel, sdist: files.find((f) => f.kind === 'sdist') };
}

const q = (s: string) => JSON.stringify(s); // a TOML basic string is JSON-compatible for these values

export function writeSetuptoolsProject(dir: string, spec: SetuptoolsSpec): void {
  mkdirSync(path.join(dir, spec.module), { recursive: true });
  const deps = (spec.dependencies ?? []).map(q).join(', ');
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    [
      '[build-system]',
      'requires = ["setuptools>=61"]',
      'build-backend = "setuptools.build_meta"',
      '',
      '[project]',
      `name = ${q(spec.name)}`,
      `version = ${q(spec.version)}`,
      `description = ${q(spec.summary)}`,
      'readme = "README.md"',
      spec.requiresPython ? `requires-python = ${q(spec.requiresPython)}` : '',
      `dependencies = [${deps}]`,
      'authors = [{ name = "Acceptance Suite", email = "suite@example.com" }]',
      'license = { text = "Apache-2.0" }',
      '',
      '[tool.setuptools]',
      `packages = [${q(spec.module)}]`,
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'README.md'), spec.readme);
  writeFileSync(path.join(dir, spec.module, '__init__.py'), spec.code);
}

/** Writes the project under root/src and builds it into its own root/dist/<name>-<version>[-tag]. */
export async function buildSetuptools(root: string, home: string, spec: SetuptoolsSpec): Promise<Built> {
  const id = `${spec.name}-${spec.version}${spec.tag ? `-${spec.tag}` : ''}`;
  const src = path.join(root, 'src', id);
  const distDir = path.join(root, 'dist', id);
  writeSetuptoolsProject(src, spec);
  mkdirSync(distDir, { recursive: true });
  const args = ['-m', 'build', '--no-isolation', ...(spec.wheelOnly ? ['--wheel'] : []), '--outdir', distDir, src];
  const r = await runTool(SYSTEM_PYTHON, args, { env: systemToolEnv(home), cwd: src, timeoutMs: 120_000 });
  expectSuccess(r);
  const built = distsIn(distDir, spec.name, spec.version);
  if (!spec.wheelOnly && !built.sdist) throw new Error(`no sdist built for ${id}`);
  return built;
}

/** Builds several projects, two at a time (the machines have two cores). */
export async function buildAll<K extends string>(
  root: string,
  home: string,
  specs: Record<K, SetuptoolsSpec>,
): Promise<Record<K, Built>> {
  const entries = Object.entries(specs) as [K, SetuptoolsSpec][];
  const out = {} as Record<K, Built>;
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const [key, spec] = entries[next++]!;
      out[key] = await buildSetuptools(root, home, spec);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

export interface PoetrySpec extends SampleProject {
  /** `[tool.poetry.dependencies]` besides python. */
  dependencies?: Record<string, string>;
}

export function writePoetryProject(dir: string, spec: PoetrySpec): void {
  mkdirSync(path.join(dir, spec.module), { recursive: true });
  const deps = Object.entries(spec.dependencies ?? {}).map(([k, v]) => `${k} = ${q(v)}`);
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    [
      '[tool.poetry]',
      `name = ${q(spec.name)}`,
      `version = ${q(spec.version)}`,
      `description = ${q(spec.summary)}`,
      'authors = ["Acceptance Suite <suite@example.com>"]',
      'readme = "README.md"',
      `packages = [{ include = ${q(spec.module)} }]`,
      '',
      '[tool.poetry.dependencies]',
      'python = ">=3.8"',
      ...deps,
      '',
      '[build-system]',
      'requires = ["poetry-core>=1.0.0"]',
      'build-backend = "poetry.core.masonry.api"',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'README.md'), spec.readme);
  writeFileSync(path.join(dir, spec.module, '__init__.py'), spec.code);
}

/** A consumer project with no code of its own (for `poetry add`); `extraToml` goes before [build-system]. */
export function writePoetryConsumer(dir: string, name = 'consumer', extraToml = ''): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    [
      '[tool.poetry]',
      `name = ${q(name)}`,
      'version = "0.1.0"',
      'description = "Installs from the emulator"',
      'authors = ["Acceptance Suite <suite@example.com>"]',
      'packages = []',
      '',
      '[tool.poetry.dependencies]',
      'python = "^3.8"',
      '',
      extraToml,
      '[build-system]',
      'requires = ["poetry-core>=1.0.0"]',
      'build-backend = "poetry.core.masonry.api"',
      '',
    ].join('\n'),
  );
}

/** One member of a wheel (zip), read with python's zipfile. */
export async function readZipMember(zipPath: string, member: string): Promise<Buffer> {
  const r = await runTool(
    python(),
    ['-c', 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).hex())', zipPath, member],
    { timeoutMs: 30_000 },
  );
  expectSuccess(r);
  return Buffer.from(r.stdout.trim(), 'hex');
}

// ------------------------------------------------------------------------------------------------------------
// The sample projects
// ------------------------------------------------------------------------------------------------------------

export const DEMO_DEP: SetuptoolsSpec = {
  name: 'demo-dep',
  version: '1.0.0',
  summary: 'The library demo-pkg depends on',
  readme: '# demo-dep\n\nA small library for the PyPI acceptance suite.\n',
  module: 'demo_dep',
  code: 'VALUE = 42\n',
  requiresPython: '>=3.8',
};

export const DEMO_PKG: SetuptoolsSpec = {
  name: 'demo-pkg',
  version: '1.0.0',
  summary: 'An app that needs demo-dep',
  readme: '# demo-pkg\n\nThe application. It imports `demo_dep`.\n',
  module: 'demo_pkg',
  code: 'from demo_dep import VALUE\n\n\ndef answer():\n    return VALUE\n',
  dependencies: ['demo-dep>=1.0'],
  requiresPython: '>=3.8',
};
