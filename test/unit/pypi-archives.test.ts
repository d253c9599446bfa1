import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MAX_METADATA_BYTES,
  readSdistMetadata,
  readWheelMetadata,
  type ArchiveProblem,
  type MetadataRead,
} from '../../core/formats/pypi/archives.js';
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
/** The bytes read, or undefined when refused. */
const bytesOf = async (read: Promise<MetadataRead>) => {
  const r = await read;
  return r.ok ? r.bytes : undefined;
};
/** Why the archive was refused (undefined when it was read). */
const problemOf = async (read: Promise<MetadataRead>): Promise<ArchiveProblem | undefined> => {
  const r = await read;
  return r.ok ? undefined : r.problem;
};

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
      path: p('nopkginfo2.tar.gz'),
      kind: 'tar.gz',
      members: [
        { name: 'demo-pkg-1.0.0/setup.py', data: '' },
        { name: 'demo-pkg-1.0.0/demo_pkg.egg-info/PKG-INFO', data: DECOY },
      ],
    },
    {
      path: p('traversal.tar.gz'),
      kind: 'tar.gz',
      members: [{ name: 'demo-pkg-1.0.0/PKG-INFO', data: PKG_INFO }, { name: 'demo-pkg-1.0.0/../../evil', data: 'x' }],
    },
    {
      path: p('absolute.tar.gz'),
      kind: 'tar.gz',
      members: [{ name: '/etc/evil', data: 'x' }, { name: 'demo-pkg-1.0.0/PKG-INFO', data: PKG_INFO }],
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
  // Decompression bombs: 80 MiB of zeros, a few dozen KiB packed (over Warehouse's 50x past 64 MiB).
  execFileSync('/usr/bin/python3', [
    '-c',
    [
      'import io, sys, tarfile, zipfile',
      'zeros = bytes(80 * 1024 * 1024)',
      'with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:',
      '    z.writestr("demo_pkg-1.0.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: demo-pkg\\nVersion: 1.0.0\\n")',
      '    z.writestr("demo_pkg/zeros.bin", zeros)',
      'with tarfile.open(sys.argv[2], "w:gz") as t:',
      '    for name, data in [("demo-pkg-1.0.0/PKG-INFO", b"Name: demo-pkg\\n"), ("demo-pkg-1.0.0/zeros.bin", zeros)]:',
      '        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))',
    ].join('\n'),
    p('bomb.whl'),
    p('bomb.tar.gz'),
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
    const read = await readWheelMetadata(p('demo_pkg-1.0.0-py3-none-any.whl'), 'demo-pkg', '1.0.0');
    expect(read).toEqual({ ok: true, bytes: WHEEL_METADATA, member: 'demo_pkg-1.0.0.dist-info/METADATA' });
  });

  it('reads stored (uncompressed) entries too', async () => {
    expect(await bytesOf(readWheelMetadata(p('stored.whl'), 'demo-pkg', '1.0.0'))).toEqual(WHEEL_METADATA);
  });

  it('matches the dist-info directory by normalized name and PEP 440 version', async () => {
    expect(await bytesOf(readWheelMetadata(p('oddcase.whl'), 'demo_pkg', '1.0.0'))).toEqual(WHEEL_METADATA);
  });

  it('ignores vendored and nested dist-info directories', async () => {
    expect(await bytesOf(readWheelMetadata(p('several.whl'), 'Demo-Pkg', '1.0.0'))).toEqual(WHEEL_METADATA);
  });

  it('prefers the dist-info directory with the right version', async () => {
    expect(await bytesOf(readWheelMetadata(p('twoversions.whl'), 'demo-pkg', '1.0.0'))).toEqual(WHEEL_METADATA);
    expect(await problemOf(readWheelMetadata(p('ambiguous.whl'), 'demo-pkg', '1.0.0'))).toEqual({
      kind: 'ambiguous',
      members: ['demo_pkg-0.9.dist-info/METADATA', 'demo_pkg-0.8.dist-info/METADATA'],
    });
  });

  it('falls back to the one dist-info of the project when only the version differs', async () => {
    expect(await bytesOf(readWheelMetadata(p('demo_pkg-1.0.0-py3-none-any.whl'), 'demo-pkg', '2.0'))).toEqual(WHEEL_METADATA);
  });

  it.each([
    ['other.whl', 'a different project', { kind: 'missing' }],
    ['nometadata.whl', 'no METADATA', { kind: 'missing' }],
    ['huge.whl', 'METADATA over the size limit', { kind: 'metadata-too-large', member: 'demo_pkg-1.0.0.dist-info/METADATA' }],
    ['traversal.whl', 'an unsafe entry name (yauzl refuses it)', { kind: 'unsafe-member', member: '../evil' }],
    ['bomb.whl', 'a decompression bomb', { kind: 'bomb' }],
    ['corrupt.whl', 'zip magic, no central directory', { kind: 'not-an-archive', expected: 'zip' }],
    ['empty.whl', 'an empty file', { kind: 'not-an-archive', expected: 'zip' }],
    ['text.tar.gz', 'not a zip', { kind: 'not-an-archive', expected: 'zip' }],
    ['does-not-exist.whl', 'a missing file', { kind: 'corrupt' }],
  ])('refuses %s (%s), saying why', async (name, _what, expected) => {
    expect(await problemOf(readWheelMetadata(p(name), 'demo-pkg', '1.0.0'))).toMatchObject(expected);
  });
});

describe('readSdistMetadata', () => {
  it('returns the exact top-level PKG-INFO bytes of a .tar.gz sdist', async () => {
    expect(await bytesOf(readSdistMetadata(p('demo-pkg-1.0.0.tar.gz')))).toEqual(PKG_INFO);
  });

  it('tolerates ./ prefixes and long (pax) names', async () => {
    expect(await bytesOf(readSdistMetadata(p('dotslash.tar.gz')))).toEqual(PKG_INFO);
    expect(await bytesOf(readSdistMetadata(p('longname.tar.gz')))).toEqual(PKG_INFO);
  });

  it('reads a .zip sdist', async () => {
    expect(await bytesOf(readSdistMetadata(p('demo_pkg-1.0.0.zip')))).toEqual(PKG_INFO);
  });

  it('sniffs the format rather than trusting the file name', async () => {
    expect(await bytesOf(readSdistMetadata(p('blob-sdist')))).toEqual(PKG_INFO);
  });

  it.each([
    ['nopkginfo.tar.gz', 'files outside one top-level directory', { kind: 'top-level', names: ['PKG-INFO (a file)', 'a', 'demo-pkg-1.0.0'] }],
    ['nopkginfo2.tar.gz', 'no PKG-INFO in the top-level directory', { kind: 'missing', expected: 'demo-pkg-1.0.0/PKG-INFO' }],
    ['traversal.tar.gz', 'a ../ member', { kind: 'unsafe-member', member: 'demo-pkg-1.0.0/../../evil' }],
    ['absolute.tar.gz', 'an absolute member', { kind: 'unsafe-member', member: '/etc/evil' }],
    ['bomb.tar.gz', 'a decompression bomb', { kind: 'bomb' }],
    ['huge.tar.gz', 'PKG-INFO over the size limit', { kind: 'metadata-too-large', member: 'demo-pkg-1.0.0/PKG-INFO' }],
    ['truncated.tar.gz', 'a truncated archive', { kind: 'corrupt' }],
    ['gzipnottar.tar.gz', 'gzip but not tar', { kind: 'corrupt' }],
    ['text.tar.gz', 'not an archive', { kind: 'not-an-archive', expected: 'tar' }],
    ['corrupt.whl', 'zip magic, no central directory', { kind: 'not-an-archive', expected: 'zip' }],
    ['empty.whl', 'an empty file', { kind: 'not-an-archive' }],
    ['does-not-exist.tar.gz', 'a missing file', { kind: 'not-an-archive' }],
  ])('refuses %s (%s), saying why', async (name, _what, expected) => {
    expect(await problemOf(readSdistMetadata(p(name)))).toMatchObject(expected);
  });

  it('parses what it reads', async () => {
    const bytes = await bytesOf(readSdistMetadata(p('demo-pkg-1.0.0.tar.gz')));
    expect(parseCoreMetadataBytes(bytes!).summary).toBe('sdist ünïcode');
  });
});

describe('Metadata-Version of the archive’s own core metadata', () => {
  const meta = (v: string) => `Metadata-Version: ${v}\nName: modern-pkg\nVersion: 2.5.0\nImport-Name: modern_pkg\n\nBody\n`;
  const versionIn = async (kind: 'wheel' | 'sdist', v: string) => {
    const file = p(`mv-${kind}-${v}`);
    if (kind === 'wheel') writeWheel(file, 'modern_pkg', '2.5.0', meta(v));
    else writeSdist(file, 'modern_pkg', '2.5.0', meta(v));
    const bytes = await bytesOf(kind === 'wheel' ? readWheelMetadata(file, 'modern-pkg', '2.5.0') : readSdistMetadata(file));
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
    const bytes = await bytesOf(readWheelMetadata(join('/opt/wheels', realWheel!), parsed!.name, parsed!.version));
    expect(bytes).toBeDefined();
    const meta = parseCoreMetadataBytes(bytes!);
    expect(meta.metadataVersion).toMatch(/^\d+\.\d+$/);
    expect(meta.name?.toLowerCase().replace(/[-_.]+/g, '-')).toBe(parsed!.name.toLowerCase().replace(/[-_.]+/g, '-'));
  });
});
