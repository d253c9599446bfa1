// Bench 4, upload memory: the server's RSS, sampled every 50 ms from /proc/PID/status, while one large
// file is uploaded through the PyPI legacy upload (multipart) and one through generic
// PublishPackageVersion. Both bodies are generated as they are sent: neither side holds the file.
//
//   node --import tsx bench/upload-memory.ts    (after `npm run build`; Linux only: reads /proc)
//   BENCH_UPLOAD_MIB=1024                       size of each upload (needs ~2x that free in BENCH_TMPDIR)
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRepo, genericPublish, pypiUpload, sdistStream, sdistTarGz, uploadDist } from './fixtures.js';
import {
  fmt,
  isMain,
  log,
  makeTempDir,
  MiB,
  now,
  removeTempDir,
  requireBuild,
  RssSampler,
  runStandalone,
  type Headline,
  type Section,
  type Server,
  setting,
  sleep,
  startServer,
} from './lib.js';

const REPO = 'uploads';

/**
 * `size` bytes in 1 MiB chunks: one random block, each chunk stamped with its index so no two are alike.
 * Deterministic per instance, so a first pass can compute the digest the request must announce.
 */
function generated(size: number): { chunks: () => Generator<Buffer> } {
  const block = randomBytes(MiB);
  block.write('BENCH-UPLOAD', 0, 'latin1');
  return {
    chunks: function* () {
      for (let offset = 0, i = 0; offset < size; offset += MiB, i++) {
        const len = Math.min(MiB, size - offset);
        const chunk = Buffer.allocUnsafe(len); // fresh each time: the socket may still hold the last one
        block.copy(chunk, 0, 0, len);
        if (len >= 24) chunk.writeUInt32LE(i, 16);
        yield chunk;
      }
    },
  };
}

function sha256Of(chunks: Iterable<Buffer>): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

async function* toAsync(chunks: Iterable<Buffer>): AsyncGenerator<Buffer> {
  yield* chunks;
}

function hwmKiB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface Measured {
  seconds: number;
  beforeKiB: number;
  peakKiB: number;
  firstHalfPeakKiB: number;
  secondHalfPeakKiB: number;
  afterKiB: number;
  samples: number;
  clientPeakDeltaKiB: number;
}

/** Baseline RSS (median over 1 s of quiet), then the upload under the sampler. */
async function measure(server: Server, upload: () => Promise<unknown>): Promise<Measured> {
  await sleep(500);
  const quiet = new RssSampler(server.pid).start();
  await sleep(1000);
  const beforeKiB = quiet.stop().medianKiB;
  const client = new RssSampler(process.pid).start();
  const clientBefore = process.memoryUsage().rss / 1024;
  const sampler = new RssSampler(server.pid).start();
  const t0 = now();
  await upload();
  const seconds = (now() - t0) / 1000;
  const s = sampler.stop();
  const c = client.stop();
  await sleep(1000);
  const after = new RssSampler(server.pid).start();
  await sleep(300);
  return {
    seconds,
    beforeKiB,
    peakKiB: s.peakKiB,
    firstHalfPeakKiB: s.firstHalfPeakKiB,
    secondHalfPeakKiB: s.secondHalfPeakKiB,
    afterKiB: after.stop().medianKiB,
    samples: s.samples,
    clientPeakDeltaKiB: c.peakKiB - clientBefore,
  };
}

export async function run(): Promise<Section> {
  requireBuild();
  if (process.platform !== 'linux') throw new Error('the upload memory bench reads /proc/PID/status: Linux only');
  const size = Math.round(setting('UPLOAD_MIB', 1024, 128) * MiB);
  const dataDir = makeTempDir('upload');
  const server = await startServer(dataDir);
  try {
    await createRepo(server, REPO);
    // Warm-up: the first upload of each kind loads busboy, hash-wasm and the archive readers.
    await uploadDist(server, REPO, 'warmup', '1.0', sdistTarGz('warmup', '1.0'));
    const small = Buffer.from('warm-up asset\n');
    await genericPublish(
      server,
      REPO,
      { namespace: 'bench', packageName: 'warmup', version: '1.0', asset: 'warmup.txt' },
      small,
      createHash('sha256').update(small).digest('hex'),
      small.length,
    );

    const rows: string[][] = [];
    const summary: Headline[] = [];
    // No reference is measured beside these: RSS growth and throughput stand alone.
    const entry = (what: string, m: Measured): Headline => ({
      figure: `${fmt.mib(size)} ${what}: server peak RSS growth (peak − before), throughput`,
      ours: `+${fmt.mib((m.peakKiB - m.beforeKiB) * 1024)}, ${fmt.mibps(size / m.seconds)}`,
      reference: '',
    });
    const row = (label: string, m: Measured) => [
      label,
      fmt.mib(size),
      fmt.s(m.seconds),
      fmt.mibps(size / m.seconds),
      fmt.mib(m.beforeKiB * 1024),
      fmt.mib(m.peakKiB * 1024),
      `+${fmt.mib((m.peakKiB - m.beforeKiB) * 1024)}`,
      `${fmt.mib(m.firstHalfPeakKiB * 1024)} / ${fmt.mib(m.secondHalfPeakKiB * 1024)}`,
      fmt.mib(m.afterKiB * 1024),
      `+${fmt.mib(Math.max(0, m.clientPeakDeltaKiB) * 1024)}`,
    ];

    {
      const data = generated(size);
      // A real sdist around the generated bytes: the server reads every upload to its end (PKG-INFO, members).
      const sdist = sdistStream('hugefile', '1.0', size, data.chunks);
      log('upload', `hashing the ${fmt.mib(size)} sdist for the PyPI upload's sha256_digest`);
      const hash = createHash('sha256');
      let length = 0;
      for await (const chunk of sdist()) {
        hash.update(chunk);
        length += chunk.length;
      }
      log('upload', `PyPI upload of ${fmt.mib(length)}`);
      const m = await measure(server, () =>
        pypiUpload(server, REPO, {
          name: 'hugefile',
          version: '1.0',
          filename: 'hugefile-1.0.tar.gz',
          size: length,
          sha256: hash.digest('hex'),
          content: sdist,
        }),
      );
      rows.push(row('PyPI upload (multipart, sdist)', m));
      summary.push(entry('PyPI upload', m));
    }
    {
      const data = generated(size);
      log('upload', `hashing ${fmt.mib(size)} for PublishPackageVersion's x-amz-content-sha256`);
      const sha256 = sha256Of(data.chunks());
      log('upload', `PublishPackageVersion of ${fmt.mib(size)}`);
      let stored = '';
      const m = await measure(server, async () => {
        const res = await genericPublish(
          server,
          REPO,
          { namespace: 'bench', packageName: 'hugefile', version: '1.0', asset: 'hugefile.bin' },
          toAsync(data.chunks()),
          sha256,
          size,
        );
        stored = (JSON.parse(res.body.toString('utf8')) as { asset: { hashes: Record<string, string> } }).asset.hashes['SHA-256'] ?? '';
      });
      if (stored !== sha256) throw new Error(`PublishPackageVersion stored sha256 ${stored}, sent ${sha256}`);
      rows.push(row('generic PublishPackageVersion', m));
      summary.push(entry('PublishPackageVersion', m));
    }
    const hwm = hwmKiB(server.pid);

    return {
      title: `Upload memory: server RSS while receiving ${fmt.mib(size)}`,
      columns: ['path', 'size', 'time', 'throughput', 'RSS before', 'peak RSS', 'peak − before', 'peak 1st / 2nd half', 'RSS 1 s after', 'bench client growth'],
      rows,
      summary,
      notes: [
        'RSS before: median over 1 s of quiet after a warm-up upload of each kind; peak: max of VmRSS sampled every 50 ms during the upload ' +
          '(also per half of the upload: equal halves mean memory does not grow with the bytes received).',
        `Kernel high-water mark (VmHWM) of the server at the end: ${hwm === undefined ? 'n/a' : fmt.mib(hwm * 1024)}.`,
        'Time: request start to response (the server hashes SHA-256, SHA-1, SHA-512, MD5 and BLAKE2b and fsyncs before answering). ' +
          'Bodies are generated in 1 MiB chunks as they are sent, with back-pressure; the last column is the bench process RSS growth.',
      ],
    };
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
}

if (isMain(import.meta.url)) runStandalone('upload', run);
