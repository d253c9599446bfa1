// Issue 8, "one upload can pin gigabytes": 100 form fields of 4 MiB were accepted (server RSS 64 MB → 1.7 GB,
// /health stalled 12 s, a 419 MB metadata row written). Against the real server:
// - a valid upload padded with 100 text fields of 4 MiB each (400 MiB of fields, more than the default 16 MiB
//   for all fields together) answers 413 with a message, in the body and the reason phrase (what twine prints);
//   the server's RSS, sampled every 50 ms, stays within a bound far below the body's size; /health, polled all
//   along, answers promptly; nothing is stored and tmp/ is empty;
// - with --max-upload-bytes 1MiB a 3 MiB file answers 413 naming the limit, with --max-form-fields 20 a form of
//   30 fields answers 413; nothing stored, tmp/ empty; a file within the limits is then accepted.
// On c1489c3 the first gets 200, the server's RSS growing by 452 MiB, and the flags do not exist.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdistTarGz, wheel } from '../../bench/fixtures.js';
import { listFiles } from '../support/files.js';
import { startServer, type RunningServer } from '../support/server.js';
import { request, tmpFiles, waitForEmptyTmp } from '../clients/pypi/api.js';
import { assetRows, UPLOAD_BOUNDARY, UPLOAD_CONTENT_TYPE, uploadBody, uploadFormFields } from './support.js';

const MiB = 1024 ** 2;

function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

interface Answer {
  status: number;
  statusMessage: string;
  text: string;
}

/** POSTs the chunks with back-pressure (the body is never held whole), then reads the answer. */
function streamedPost(url: string, chunks: () => Iterable<Buffer>, length: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { 'Content-Type': UPLOAD_CONTENT_TYPE, 'Content-Length': length },
    });
    req.on('response', (res) => {
      const body: Buffer[] = [];
      res.on('data', (c: Buffer) => body.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', text: Buffer.concat(body).toString() }),
      );
    });
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error('upload timed out')));
    const it = chunks()[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        const next = it.next();
        if (next.done) return void req.end();
        if (!req.write(next.value)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

/** The store holds nothing of any upload: no asset row, no blob, nothing in tmp/. */
function expectNothingStored(server: RunningServer) {
  expect(assetRows(server.dataDir)).toEqual([]);
  expect(listFiles(path.join(server.dataDir, 'blobs'))).toEqual([]);
  expect(tmpFiles(server.dataDir)).toEqual([]);
}

async function createRepository(server: RunningServer) {
  for (const p of ['/v1/domain?domain=lim', '/v1/repository?domain=lim&repository=repo']) {
    const r = await request(`${server.url}${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(r.status, r.text).toBe(200);
  }
}

const UPLOAD_PATH = '/pypi/d/lim-000000000000/repo/';

describe('100 form fields of 4 MiB each', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ args: ['--auth', 'off'] });
    await createRepository(server);
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('413 with a message; RSS stays bounded and /health answers promptly throughout; nothing stored', async () => {
    const dist = wheel('padded-pkg', '1.0.0');
    const fields = uploadFormFields('padded-pkg', '1.0.0', dist.filename, dist.data);
    const head = uploadBody(fields, dist);
    // The valid form's fields, then the padding, then the file part (the valid body minus its field part).
    const fieldPart = head.subarray(0, head.indexOf(`--${UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name="content"`));
    const filePart = head.subarray(fieldPart.length);
    // Just under 4 MiB: under the per-field cap the code before the lifecycle commit had, as in the report.
    const value = Buffer.alloc(4 * MiB - 1024, 'a');
    const padding = (i: number) =>
      Buffer.from(`--${UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name="description_${i}"\r\n\r\n`);
    const crlf = Buffer.from('\r\n');
    let length = fieldPart.length + filePart.length;
    for (let i = 0; i < 100; i++) length += padding(i).length + value.length + crlf.length;

    // Baseline RSS: the median of a quiet half second after a first request.
    expect((await request(`${server.url}/health`)).status).toBe(200);
    const quiet: number[] = [];
    for (let i = 0; i < 10; i++) {
      quiet.push(rssKiB(server.pid));
      await new Promise((r) => setTimeout(r, 50));
    }
    const baselineKiB = quiet.sort((a, b) => a - b)[5]!;

    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssKiB(server.pid)), 50);
    const healthMs: number[] = [];
    let uploading = true;
    const poller = (async () => {
      while (uploading) {
        const t0 = performance.now();
        const h = await request(`${server.url}/health`);
        healthMs.push(performance.now() - t0);
        expect(h.status).toBe(200);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let answer: Answer;
    const t0 = performance.now();
    try {
      answer = await streamedPost(
        `${server.url}${UPLOAD_PATH}`,
        function* () {
          yield fieldPart;
          for (let i = 0; i < 100; i++) yield* [padding(i), value, crlf];
          yield filePart;
        },
        length,
      );
    } finally {
      uploading = false;
      clearInterval(sampler);
      await poller;
    }
    const seconds = (performance.now() - t0) / 1000;
    const peakGrowthMiB = (Math.max(...samples) - baselineKiB) / 1024;
    const worstHealthMs = Math.max(...healthMs);
    console.log(
      `400 MiB of form fields: answered ${answer.status} in ${seconds.toFixed(1)} s; server RSS baseline ` +
        `${(baselineKiB / 1024).toFixed(0)} MiB, peak growth ${peakGrowthMiB.toFixed(0)} MiB over ${samples.length} samples; ` +
        `/health ${healthMs.length} polls, worst ${worstHealthMs.toFixed(0)} ms`,
    );

    expect(answer.status, answer.text).toBe(413);
    expect(answer.text).toMatch(/Form fields too large: all text fields together may take 16 MiB/);
    expect(answer.statusMessage).toMatch(/Form fields too large/);
    // The fields are capped at 16 MiB together: the process may hold that, its copies and garbage not yet
    // collected (52-81 MiB measured), never the 400 MiB (c1489c3: +452 MiB, and the upload accepted).
    expect(peakGrowthMiB).toBeLessThan(160);
    expect(healthMs.length).toBeGreaterThan(0);
    expect(worstHealthMs).toBeLessThan(2_000);
    expect(await waitForEmptyTmp(server.dataDir, 2_000)).toEqual([]);
    expectNothingStored(server);
  });
});

describe('configured limits: --max-upload-bytes 1MiB, --max-form-fields 20', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ args: ['--auth', 'off', '--max-upload-bytes', '1MiB', '--max-form-fields', '20'] });
    await createRepository(server);
  });
  afterAll(async () => {
    await server?.destroy();
  });

  const post = (body: Buffer) =>
    request(`${server.url}${UPLOAD_PATH}`, { method: 'POST', headers: { 'Content-Type': UPLOAD_CONTENT_TYPE }, body });

  it('a file over the limit → 413 naming it; nothing stored, tmp/ empty', async () => {
    // An sdist padded past 1 MiB (random bytes: gzip cannot shrink them).
    const base = sdistTarGz('big-pkg', '1.0.0');
    const data = Buffer.concat([base.data, Buffer.from(Array.from({ length: 3 * MiB }, () => Math.floor(Math.random() * 256)))]);
    const r = await post(uploadBody(uploadFormFields('big-pkg', '1.0.0', base.filename, data), { filename: base.filename, data }));
    expect(r.status, r.text).toBe(413);
    expect(r.text).toMatch(/File too large\. Limit is 1 MiB/);
    expect(r.statusMessage).toMatch(/File too large/);
    expect(await waitForEmptyTmp(server.dataDir, 2_000)).toEqual([]);
    expectNothingStored(server);
  });

  it('too many fields → 413; nothing stored, tmp/ empty', async () => {
    const dist = wheel('many-fields', '1.0.0');
    const fields = uploadFormFields('many-fields', '1.0.0', dist.filename, dist.data);
    for (let i = 0; fields.length < 30; i++) fields.push([`classifiers`, `Topic :: Padding :: ${i}`]);
    const r = await post(uploadBody(fields, dist));
    expect(r.status, r.text).toBe(413);
    expect(r.text).toMatch(/Too many form fields: the limit is 20/);
    expect(await waitForEmptyTmp(server.dataDir, 2_000)).toEqual([]);
    expectNothingStored(server);
  });

  it('an upload within the limits is accepted', async () => {
    const dist = wheel('small-pkg', '1.0.0');
    const r = await post(uploadBody(uploadFormFields('small-pkg', '1.0.0', dist.filename, dist.data), dist));
    expect(r.status, r.text).toBe(200);
    expect(assetRows(server.dataDir).map((a) => a.name)).toEqual([dist.filename]);
  });
});
