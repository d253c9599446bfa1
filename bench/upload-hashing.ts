// Bench 6, upload hashing: one large file uploaded through the PyPI legacy upload API by curl (a separate
// process, so the bench's own event loop only polls), while the bench polls GET /health every 20 ms and
// samples the server's RSS. Side by side in the same run: `sha256sum` over the same file, and /health
// latency with no upload. The server computes five digests per upload; if it does so on its event loop,
// /health stalls behind them.
//
//   node --import tsx bench/upload-hashing.ts   (after `npm run build`; Linux only: reads /proc, needs curl)
//   BENCH_HASH_MIB=1024                         size of the file (needs ~2x that free in BENCH_TMPDIR)
//   BENCH_HEALTH_IDLE_SECONDS=5                 length of the no-upload /health reference
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { once } from 'node:events';
import { createBLAKE2b } from 'hash-wasm';
import { createRepo, DOMAIN, pypiUpload, sdistStream, sdistTarGz, sdistWith, uploadDist } from './fixtures.js';
import {
  bounded,
  expectStatus,
  fmt,
  isMain,
  log,
  makeTempDir,
  median,
  MiB,
  now,
  percentile,
  removeTempDir,
  request,
  requireBuild,
  RssSampler,
  runCommand,
  runStandalone,
  type Section,
  type Server,
  setting,
  sleep,
  startServer,
  versus,
} from './lib.js';

const REPO = 'hashing';
const POLL_MS = 20;

/**
 * Writes a real sdist of `hugefile` 1.0 (the server reads every sdist to its end, as Warehouse checks them): its
 * PKG-INFO and one member of `size` bytes (a 1 MiB random block, each chunk stamped with its index), gzip stored
 * blocks; returns its length, md5 and BLAKE2b-256.
 */
async function writeFile(file: string, size: number): Promise<{ bytes: number; md5: string; blake2b256: string }> {
  const block = randomBytes(MiB);
  block.write('BENCH-UPLOAD', 0, 'latin1');
  const chunks = function* () {
    for (let offset = 0, i = 0; offset < size; offset += MiB, i++) {
      const chunk = Buffer.from(block.subarray(0, Math.min(MiB, size - offset)));
      if (chunk.length >= 24) chunk.writeUInt32LE(i, 16);
      yield chunk;
    }
  };
  const md5 = createHash('md5');
  const blake = await createBLAKE2b(256);
  const out = createWriteStream(file);
  let bytes = 0;
  for await (const piece of sdistStream('hugefile', '1.0', size, chunks)()) {
    bytes += piece.length;
    md5.update(piece);
    blake.update(piece);
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { bytes, md5: md5.digest('hex'), blake2b256: blake.digest('hex') };
}

/** GET /health on one keep-alive connection every POLL_MS ms (back to back when one takes longer) until `until` settles. */
async function pollHealth(server: Server, until: Promise<unknown>): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let done = false;
  until.then(
    () => (done = true),
    () => (done = true),
  );
  const latencies: number[] = [];
  let next = now();
  try {
    while (!done) {
      const t = now();
      expectStatus(await request(`${server.url}/health`, { agent, sink: 'count' }), 200, 'GET /health');
      latencies.push(now() - t);
      next += POLL_MS;
      const wait = next - now();
      if (wait > 0) await sleep(wait);
      else next = now();
    }
  } finally {
    agent.destroy();
  }
  return latencies;
}

/** The median RSS over 1 s of quiet, in KiB. */
async function quietRss(server: Server): Promise<number> {
  await sleep(500);
  const quiet = new RssSampler(server.pid).start();
  await sleep(1000);
  return quiet.stop().medianKiB;
}

/** CPU seconds (user + system) of each thread of a process, by thread id. */
function threadCpu(pid: number): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / 100); // fields 14, 15: utime, stime (USER_HZ 100)
    } catch {
      // the thread ended meanwhile
    }
  }
  return ticks;
}

function cpuSplit(pid: number, before: Map<number, number>, after: Map<number, number>): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const [tid, s] of after) {
    const d = s - (before.get(tid) ?? 0);
    if (tid === pid) main += d;
    else others += d;
  }
  return { main, others };
}

async function curlUpload(server: Server, file: string, fields: Record<string, string>, responseFile: string) {
  const args = ['-sS', '--max-time', '900', '-H', 'Expect:', '-o', responseFile, '-w', '%{http_code} %{time_total}'];
  for (const [k, v] of Object.entries(fields)) args.push('-F', `${k}=${v}`);
  args.push('-F', `content=@${file};filename=${path.basename(file)};type=application/octet-stream`);
  args.push(`${server.pypiBase(DOMAIN, REPO)}/`);
  const r = await runCommand('curl', args, 1_000_000);
  const [code, seconds] = r.stdout.trim().split(' ');
  if (r.code !== 0 || code !== '200')
    throw new Error(`curl upload: exit ${r.code}, HTTP ${code}: ${r.stderr} ${readFileSync(responseFile, 'utf8').slice(0, 300)}`);
  return Number(seconds);
}

const latencyCell = (xs: number[]) =>
  `${fmt.ms(percentile(xs, 50))} / ${fmt.ms(percentile(xs, 99))} / ${fmt.ms(Math.max(...xs))} (${fmt.int(xs.length)} requests)`;

export async function run(): Promise<Section> {
  requireBuild();
  if (process.platform !== 'linux') throw new Error('the upload hashing bench reads /proc/PID/status: Linux only');
  const size = Math.round(setting('HASH_MIB', 1024, 128) * MiB);
  const idleSeconds = setting('HEALTH_IDLE_SECONDS', 5, 2);
  const dir = makeTempDir('hashing');
  const file = path.join(dir, 'hugefile-1.0.tar.gz');
  log('hashing', `writing ${fmt.mib(size)} to ${file}`);
  const digests = await writeFile(file, size);

  log('hashing', 'sha256sum of the same file');
  const t0 = now();
  const sum = await runCommand('sha256sum', [file], 600_000);
  const sumSeconds = (now() - t0) / 1000;
  const sha256 = sum.stdout.split(' ')[0] ?? '';
  if (sum.code !== 0 || !/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`sha256sum failed: ${sum.stderr}`);

  const server = await startServer(path.join(dir, 'data'));
  try {
    await createRepo(server, REPO);
    // Warm-up: the first upload loads busboy, hash-wasm and the archive readers; a 1 MiB one starts whatever
    // a large upload starts once per process (the digest workers), so that cost is reported apart.
    await uploadDist(server, REPO, 'warmup', '1.0', sdistTarGz('warmup', '1.0'));
    const rssSmall = await quietRss(server);
    const payload = Buffer.from(randomBytes(MiB));
    payload.write('BENCH-UPLOAD', 0, 'latin1');
    const mib = sdistWith('warmup-large', '1.0', payload);
    await pypiUpload(server, REPO, {
      name: 'warmup-large',
      version: '1.0',
      filename: 'warmup_large-1.0.tar.gz',
      size: mib.length,
      sha256: createHash('sha256').update(mib).digest('hex'),
      content: mib,
    });
    const rssBefore = await quietRss(server);

    log('hashing', `/health every ${POLL_MS} ms for ${idleSeconds} s, no upload`);
    const idle = await pollHealth(server, sleep(idleSeconds * 1000));

    log('hashing', `PyPI upload of ${fmt.mib(size)} by curl, /health every ${POLL_MS} ms meanwhile`);
    const sampler = new RssSampler(server.pid).start();
    const cpuBefore = threadCpu(server.pid);
    const upload = curlUpload(
      server,
      file,
      {
        ':action': 'file_upload',
        protocol_version: '1',
        metadata_version: '2.1',
        name: 'hugefile',
        version: '1.0',
        filetype: 'sdist',
        pyversion: 'source',
        // The server refuses the file unless the digests it computed match all three.
        sha256_digest: sha256,
        md5_digest: digests.md5,
        blake2_256_digest: digests.blake2b256,
      },
      path.join(dir, 'response.txt'),
    );
    const during = await pollHealth(server, upload);
    const uploadSeconds = await upload;
    const cpu = cpuSplit(server.pid, cpuBefore, threadCpu(server.pid));
    const rss = sampler.stop();

    // Rates over the file's bytes (the payload plus the tar headers and gzip block headers around it).
    const sumRate = digests.bytes / sumSeconds;
    const uploadRate = digests.bytes / uploadSeconds;
    const growth = (rss.peakKiB - rssBefore) * 1024;
    return {
      title: `Upload hashing: a ${fmt.mib(size)} PyPI upload vs sha256sum, and /health meanwhile`,
      columns: ['measure', 'figure'],
      rows: [
        [`sha256sum of the file`, `${fmt.s(sumSeconds)}, ${fmt.mibps(sumRate)}`],
        [`PyPI upload (curl -F, 5 digests checked)`, `${fmt.s(uploadSeconds)}, ${fmt.mibps(uploadRate)} (${fmt.ratio(uploadRate / sumRate)} sha256sum)`],
        ['server RSS: after a 1 KiB upload / after a 1 MiB upload (once per process)', `${fmt.mib(rssSmall * 1024)} / ${fmt.mib(rssBefore * 1024)} (+${fmt.mib((rssBefore - rssSmall) * 1024)})`],
        ['server RSS during the upload: before / peak / growth', `${fmt.mib(rssBefore * 1024)} / ${fmt.mib(rss.peakKiB * 1024)} / +${fmt.mib(growth)}`],
        ['server CPU during the upload: main thread / other threads', `${fmt.s(cpu.main)} / ${fmt.s(cpu.others)}`],
        ['/health p50 / p99 / max, no upload', latencyCell(idle)],
        ['/health p50 / p99 / max, during the upload', latencyCell(during)],
      ],
      summary: [
        versus(
          `${fmt.mib(size)} PyPI upload (5 digests checked): MiB/s, ours ÷ sha256sum of the same file`,
          fmt.mibps(uploadRate),
          `sha256sum ${fmt.mibps(sumRate)}`,
          uploadRate / sumRate,
          { target: '≥ 0.5x sha256sum', atLeast: 0.5 },
        ),
        bounded(
          `/health p99 during the ${fmt.mib(size)} upload (one request every ${POLL_MS} ms)`,
          fmt.ms(percentile(during, 99)),
          percentile(during, 99),
          'p99 < 10 ms',
          10,
          `no upload ${fmt.ms(percentile(idle, 99))}`,
        ),
        bounded(
          `server RSS growth during the ${fmt.mib(size)} upload (peak − before)`,
          `+${fmt.mib(growth)}`,
          growth,
          '< 64 MB (61 MiB)',
          64e6,
        ),
      ],
      notes: [
        `The file (a real sdist: PKG-INFO and one large member, gzip stored blocks) is written once to ${dir}; sha256sum reads it from the page cache, curl sends it as a multipart form ` +
          '(md5, sha256 and BLAKE2b-256 digests included, so the server checks its own).',
        `Upload time is curl's time_total: first byte sent to the response (the server hashes, fsyncs and records it before answering). ` +
          'RSS: medians over 1 s of quiet after a 1 KiB and then a 1 MiB warm-up upload (the second starts the digest workers, ' +
          `if the build has them); peak: max of VmRSS every 50 ms during the upload (${rss.samples} samples).`,
        `/health: one keep-alive connection, a request every ${POLL_MS} ms; the median of the idle run is ${fmt.ms(median(idle))}. ` +
          'A stall of the server\'s event loop shows up in p99 and max.',
        'CPU: utime + stime from /proc/PID/task/*/stat; "main thread" is the event loop, the others are libuv\'s pool, V8 and any worker threads.',
      ],
    };
  } finally {
    await server.stop();
    removeTempDir(dir);
  }
}

if (isMain(import.meta.url)) runStandalone('hashing', run);
