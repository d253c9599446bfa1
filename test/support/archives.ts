// Writes real zip and tar.gz archives for tests with Python's zipfile/tarfile (no zip writer among the
// npm dependencies). Wheels and sdists built this way are byte-for-byte what a test asks for.
import { execFileSync } from 'node:child_process';

export interface ArchiveMember {
  name: string;
  data: Buffer | string;
  /** zip: ZIP_STORED instead of ZIP_DEFLATED */
  stored?: boolean;
  /** Instead of `data`: this many zero bytes, made by the writer (decompression bombs without a huge pipe). */
  zeros?: number;
}

export interface ArchiveSpec {
  path: string;
  kind: 'zip' | 'tar.gz';
  members: ArchiveMember[];
}

const PY_WRITER = String.raw`
import base64, io, json, sys, tarfile, zipfile
for spec in json.load(sys.stdin):
    if spec["kind"] == "zip":
        with zipfile.ZipFile(spec["path"], "w") as z:
            for m in spec["members"]:
                info = zipfile.ZipInfo(m["name"], date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_STORED if m.get("stored") else zipfile.ZIP_DEFLATED
                z.writestr(info, bytes(m["zeros"]) if "zeros" in m else base64.b64decode(m["data"]))
    else:
        with tarfile.open(spec["path"], "w:gz", format=tarfile.PAX_FORMAT) as t:
            for m in spec["members"]:
                data = bytes(m["zeros"]) if "zeros" in m else base64.b64decode(m["data"])
                info = tarfile.TarInfo(m["name"])
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
`;

export function writeArchives(specs: ArchiveSpec[]): void {
  const input = JSON.stringify(
    specs.map((s) => ({
      ...s,
      members: s.members.map((m) => ({ ...m, data: Buffer.from(m.data).toString('base64') })),
    })),
  );
  execFileSync('python3', ['-c', PY_WRITER], { input, maxBuffer: 64 * 1024 * 1024 });
}

/** A minimal valid wheel: {name}-{version}.dist-info/{METADATA,WHEEL,RECORD} plus one module. */
export function writeWheel(path: string, distName: string, version: string, metadata: string): void {
  const distInfo = `${distName}-${version}.dist-info`;
  writeArchives([
    {
      path,
      kind: 'zip',
      members: [
        { name: `${distName}/__init__.py`, data: 'VALUE = 1\n' },
        { name: `${distInfo}/METADATA`, data: metadata },
        { name: `${distInfo}/WHEEL`, data: 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
        { name: `${distInfo}/RECORD`, data: '' },
      ],
    },
  ]);
}

/** A minimal sdist: {name}-{version}/PKG-INFO. */
export function writeSdist(path: string, distName: string, version: string, pkgInfo: string): void {
  writeArchives([{ path, kind: 'tar.gz', members: [{ name: `${distName}-${version}/PKG-INFO`, data: pkgInfo }] }]);
}
