import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_METADATA_BYTES, readSdistMetadata, readWheelMetadata } from '../../core/formats/pypi/archives.js';
import { parseDistributionFilename } from '../../core/formats/pypi/filenames.js';
import { checkFileMetadataVersion, parseCoreMetadataBytes } from '../../core/formats/pypi/metadata.js';
import { writeArchives, writeSdist, writeWheel, type ArchiveMember as Member } from '../support/archives.js';

// Exact bytes matter: CRLF, non-ASCII, no trailing newline.
const WHEEL_METADATA = Buffer.from(
  'Metadata-Version: 2.1\r\nName: demo-pkg\r\nVersion: 1.0.0\r\nAuthor: Zoë\r\nRequires-Dist: demo-dep>=1.0\r\n\r\nBody ✓',
  'utf8',
);
const DECOY = Buffer.from('Metadata-Version: 2.1\nName: decoy\nVersion: 9.9\n');
const PKG_INFO = Buffer.from('Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0.0\nSummary: sdist ünïcode\n\n# body\n', 'utf8');
const WHEEL_FILE = 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n';

let dir: string;
const p = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pypi-archives-'));
  const wheelMembers = (distinfo: string, metadata: Buffer | string = WHEEL_METADATA): Member[] => [
    { name: 'demo_pkg/__init__.py', data: '' },
    { name: `${distinfo}/METADATA`, data: metadata },
    { name: `${distinfo}/WHEEL`, data: WHEEL_FILE },
    { name: `${distinfo}/RECORD`, data: '' },
  ];
  writeArchives([
    { path: p('demo_pkg-1.0.0-py3-none-any.whl'), kind: 'zip', members: wheelMembers('demo_pkg-1.0.0.dist-info') },
    {
      path: p('stored.whl'),
      kind: 'zip',
      members: wheelMembers('demo_pkg-1.0.0.dist-info').map((m) => ({ ...m, stored: true })),
    },
    // Unnormalized dist-info name: case, dots, different but equal version spelling.
    { path: p('oddcase.whl'), kind: 'zip', members: wheelMembers('Demo.Pkg-1.0.dist-info') },
    // A vendored dist-info and a nested one next to the real one.
    {
      path: p('several.whl'),
      kind: 'zip',
      members: [
        { name: 'vendored_thing-2.0.dist-info/METADATA', data: DECOY },
        { name: 'demo_pkg/_vendor/x-1.0.dist-info/METADATA', data: DECOY },
        { name: 'demo_pkg-1.0.0.dist-info/', data: '' },
        ...wheelMembers('demo_pkg-1.0.0.dist-info'),
      ],
    },
    // Two dist-info dirs of the project: the one with the right version wins.
    {
      path: p('twoversions.whl'),
      kind: 'zip',
      members: [{ name: 'demo_pkg-0.9.dist-info/METADATA', data: DECOY }, ...wheelMembers('demo_pkg-1.0.0.dist-info')],
    },
    // Two dist-info dirs of the project, neither with the right version: ambiguous.
    {
      path: p('ambiguous.whl'),
      kind: 'zip',
      members: [
        { name: 'demo_pkg-0.9.dist-info/METADATA', data: DECOY },
        { name: 'demo_pkg-0.8.dist-info/METADATA', data: DECOY },
      ],
    },
    { path: p('other.whl'), kind: 'zip', members: wheelMembers('other_pkg-1.0.0.dist-info') },
    { path: p('nometadata.whl'), kind: 'zip', members: [{ name: 'demo_pkg-1.0.0.dist-info/WHEEL', data: WHEEL_FILE }] },
    // 11 MiB of METADATA: deflates to a few KiB, must still be refused.
    {
      path: p('huge.whl'),
      kind: 'zip',
      members: wheelMembers('demo_pkg-1.0.0.dist-info', 'Name: demo-pkg\n' + 'x'.repeat(11 * 1024 * 1024)),
    },
    { path: p('traversal.whl'), kind: 'zip', members: [...wheelMembers('demo_pkg-1.0.0.dist-info'), { name: '../evil', data: 'x' }] },

    {
      path: p('demo-pkg-1.0.0.tar.gz'),
      kind: 'tar.gz',
      members: [
        { name: 'demo-pkg-1.0.0/setup.cfg', data: '[metadata]\n' },
        { name: 'demo-pkg-1.0.0/demo_pkg.egg-info/PKG-INFO', data: DECOY },
        { name: 'demo-pkg-1.0.0/PKG-INFO', data: PKG_INFO },
        { name: 'demo-pkg-1.0.0/pyproject.toml', data: '' },
      ],
    },
    { path: p('dotslash.tar.gz'), kind: 'tar.gz', members: [{ name: './demo_pkg-1.0.0/PKG-INFO', data: PKG_INFO }] },
    {
      path: p('longname.tar.gz'),
      kind: 'tar.gz',
      members: [{ name: `${'very_long_project_name_'.repeat(8)}-1.0.0/PKG-INFO`, data: PKG_INFO }],
    },
    {
      path: p('nopkginfo.tar.gz'),
      kind: 'tar.gz',
      members: [
        { name: 'PKG-INFO', data: DECOY },
        { name: 'a/b/PKG-INFO', data: DECOY },
        { name: 'demo-pkg-1.0.0/setup.py', data: '' },
      ],
    },
    {
      path: p('huge.tar.gz'),
      kind: 'tar.gz',
      members: [{ name: 'demo-pkg-1.0.0/PKG-INFO', data: 'x'.repeat(MAX_METADATA_BYTES + 1) }],
    },
    {
      path: p('demo_pkg-1.0.0.zip'),
      kind: 'zip',
      members: [
        { name: 'demo_pkg-1.0.0/demo_pkg.egg-info/PKG-INFO', data: DECOY },
        { name: 'demo_pkg-1.0.0/PKG-INFO', data: PKG_INFO },
      ],
    },
  ]);
  // Blob with no extension (storage by hash): the format is sniffed.
  writeArchives([
    { path: p('blob-sdist'), kind: 'tar.gz', members: [{ name: 'demo-pkg-1.0.0/PKG-INFO', data: PKG_INFO }] },
  ]);
  writeFileSync(p('corrupt.whl'), Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]));
  writeFileSync(p('empty.whl'), Buffer.alloc(0));
  writeFileSync(p('text.tar.gz'), 'this is not an archive');
  execFileSync('/usr/bin/python3', ['-c', `import gzip,sys; open(sys.argv[1],"wb").write(gzip.compress(b"not a tar"*100))`, p('gzipnottar.tar.gz')]);
  execFileSync('/usr/bin/python3', [
    '-c',
    `import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(d[:len(d)//2])`,
    p('demo-pkg-1.0.0.tar.gz'),
    p('truncated.tar.gz'),
  ]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('readWheelMetadata', () => {
  it('returns the exact METADATA bytes of a wheel', async () => {
    const bytes = await readWheelMetadata(p('demo_pkg-1.0.0-py3-none-any.whl'), 'demo-pkg', '1.0.0');
    expect(bytes).toEqual(WHEEL_METADATA);
  });

  it('reads stored (uncompressed) entries too', async () => {
    expect(await readWheelMetadata(p('stored.whl'), 'demo-pkg', '1.0.0')).toEqual(WHEEL_METADATA);
  });

  it('matches the dist-info directory by normalized name and PEP 440 version', async () => {
    expect(await readWheelMetadata(p('oddcase.whl'), 'demo_pkg', '1.0.0')).toEqual(WHEEL_METADATA);
  });

  it('ignores vendored and nested dist-info directories', async () => {
    expect(await readWheelMetadata(p('several.whl'), 'Demo-Pkg', '1.0.0')).toEqual(WHEEL_METADATA);
  });

  it('prefers the dist-info directory with the right version', async () => {
    expect(await readWheelMetadata(p('twoversions.whl'), 'demo-pkg', '1.0.0')).toEqual(WHEEL_METADATA);
    expect(await readWheelMetadata(p('ambiguous.whl'), 'demo-pkg', '1.0.0')).toBeUndefined();
  });

  it('falls back to the one dist-info of the project when only the version differs', async () => {
    expect(await readWheelMetadata(p('demo_pkg-1.0.0-py3-none-any.whl'), 'demo-pkg', '2.0')).toEqual(WHEEL_METADATA);
  });

  it.each([
    ['other.whl', 'a different project'],
    ['nometadata.whl', 'no METADATA'],
    ['huge.whl', 'METADATA over the size limit'],
    ['traversal.whl', 'an unsafe entry name (yauzl refuses the archive)'],
    ['corrupt.whl', 'a corrupt zip'],
    ['empty.whl', 'an empty file'],
    ['text.tar.gz', 'not a zip'],
    ['does-not-exist.whl', 'a missing file'],
  ])('is undefined for %s (%s)', async (name) => {
    expect(await readWheelMetadata(p(name), 'demo-pkg', '1.0.0')).toBeUndefined();
  });
});

describe('readSdistMetadata', () => {
  it('returns the exact top-level PKG-INFO bytes of a .tar.gz sdist', async () => {
    expect(await readSdistMetadata(p('demo-pkg-1.0.0.tar.gz'))).toEqual(PKG_INFO);
  });

  it('tolerates ./ prefixes and long (pax) names', async () => {
    expect(await readSdistMetadata(p('dotslash.tar.gz'))).toEqual(PKG_INFO);
    expect(await readSdistMetadata(p('longname.tar.gz'))).toEqual(PKG_INFO);
  });

  it('reads a .zip sdist', async () => {
    expect(await readSdistMetadata(p('demo_pkg-1.0.0.zip'))).toEqual(PKG_INFO);
  });

  it('sniffs the format rather than trusting the file name', async () => {
    expect(await readSdistMetadata(p('blob-sdist'))).toEqual(PKG_INFO);
  });

  it.each([
    ['nopkginfo.tar.gz', 'no PKG-INFO exactly one level deep'],
    ['huge.tar.gz', 'PKG-INFO over the size limit'],
    ['truncated.tar.gz', 'a truncated archive'],
    ['gzipnottar.tar.gz', 'gzip but not tar'],
    ['text.tar.gz', 'not an archive'],
    ['corrupt.whl', 'a corrupt zip'],
    ['empty.whl', 'an empty file'],
    ['does-not-exist.tar.gz', 'a missing file'],
  ])('is undefined for %s (%s)', async (name) => {
    expect(await readSdistMetadata(p(name))).toBeUndefined();
  });

  it('parses what it reads', async () => {
    const bytes = await readSdistMetadata(p('demo-pkg-1.0.0.tar.gz'));
    expect(parseCoreMetadataBytes(bytes!).summary).toBe('sdist ünïcode');
  });
});

describe('Metadata-Version of the archive’s own core metadata', () => {
  const meta = (v: string) => `Metadata-Version: ${v}\nName: modern-pkg\nVersion: 2.5.0\nImport-Name: modern_pkg\n\nBody\n`;
  const versionIn = async (kind: 'wheel' | 'sdist', v: string) => {
    const file = p(`mv-${kind}-${v}`);
    if (kind === 'wheel') writeWheel(file, 'modern_pkg', '2.5.0', meta(v));
    else writeSdist(file, 'modern_pkg', '2.5.0', meta(v));
    const bytes = kind === 'wheel' ? await readWheelMetadata(file, 'modern-pkg', '2.5.0') : await readSdistMetadata(file);
    return parseCoreMetadataBytes(bytes!).metadataVersion;
  };

  it('accepts a wheel and an sdist whose metadata says 2.5, with the form saying 2.5 or nothing', async () => {
    const wheel = 'modern_pkg-2.5.0-py3-none-any.whl';
    const sdist = 'modern_pkg-2.5.0.tar.gz';
    expect(checkFileMetadataVersion(await versionIn('wheel', '2.5'), '2.5', wheel, 'METADATA')).toBeUndefined();
    expect(checkFileMetadataVersion(await versionIn('sdist', '2.5'), undefined, sdist, 'PKG-INFO')).toBeUndefined();
  });

  it('refuses 9.9 in the archive, and a form that says 2.4 for a 2.5 file', async () => {
    const wheel = 'modern_pkg-2.5.0-py3-none-any.whl';
    expect(checkFileMetadataVersion(await versionIn('wheel', '9.9'), '2.1', wheel, 'METADATA')).toMatch(
      /^'9\.9' is not a valid metadata version in the METADATA of modern_pkg-2\.5\.0-py3-none-any\.whl\./,
    );
    expect(checkFileMetadataVersion(await versionIn('sdist', '9.9'), undefined, 'modern_pkg-2.5.0.tar.gz', 'PKG-INFO')).toMatch(
      /^'9\.9' is not a valid metadata version in the PKG-INFO of/,
    );
    expect(checkFileMetadataVersion(await versionIn('wheel', '2.5'), '2.4', wheel, 'METADATA')).toMatch(
      /^Metadata-Version '2\.4' of the upload form does not match Metadata-Version '2\.5'/,
    );
  });
});

// Optional: a real wheel from /opt/wheels when the machine has some.
const realWheel = existsSync('/opt/wheels') ? readdirSync('/opt/wheels').find((f) => f.endsWith('.whl')) : undefined;

describe('real wheel', () => {
  it.skipIf(!realWheel)('reads METADATA from a wheel in /opt/wheels', async () => {
    const parsed = parseDistributionFilename(realWheel!);
    expect(parsed?.type).toBe('bdist_wheel');
    const bytes = await readWheelMetadata(join('/opt/wheels', realWheel!), parsed!.name, parsed!.version);
    expect(bytes).toBeDefined();
    const meta = parseCoreMetadataBytes(bytes!);
    expect(meta.metadataVersion).toMatch(/^\d+\.\d+$/);
    expect(meta.name?.toLowerCase().replace(/[-_.]+/g, '-')).toBe(parsed!.name.toLowerCase().replace(/[-_.]+/g, '-'));
  });
});
