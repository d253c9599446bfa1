// Helpers for the operations suites: a raw HTTP/1.1 connection (to control exactly when bytes go out and see
// exactly what comes back, keep-alive and Connection headers included), the server's JSON log lines, waiting
// for a process to exit.
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import net from 'node:net';
import type { Duplex } from 'node:stream';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One connection; responses are read in order, each with a Content-Length body. */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closedAt: number | undefined;
  readonly closed: Promise<void>;

  constructor(readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedAt = Date.now();
        this.wake();
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  /** The next complete response; rejects if the connection closes first. */
  async response(timeoutMs = 15_000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (this.buffer.length >= end + 4 + length) {
          const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
          this.buffer = this.buffer.subarray(end + 4 + length);
          return { status: Number(statusLine!.split(' ')[1]), headers, body };
        }
      }
      if (this.closedAt !== undefined) throw new Error(`connection closed before a complete response (${this.buffer.length} bytes)`);
      if (Date.now() > deadline) throw new Error('no response in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Whether the connection closes within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), sleep(ms).then(() => false)]);
  }
}

export const get = (path: string, host = 'localhost') => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;

/** The head of a PublishPackageVersion (generic) of `body`, for a body the test then sends bit by bit. */
export function publishHead(domain: string, repository: string, version: string, body: Buffer): string {
  const sha256 = createHash('sha256').update(body).digest('hex');
  return (
    `POST /v1/package/version/publish?domain=${domain}&repository=${repository}&format=generic&namespace=ops` +
    `&package=slow&version=${version}&asset=slow.bin HTTP/1.1\r\nHost: localhost\r\n` +
    `Content-Type: application/octet-stream\r\nx-amz-content-sha256: ${sha256}\r\nContent-Length: ${body.length}\r\n\r\n`
  );
}

export interface LogLine {
  level: string;
  msg: string;
  pid: number;
  [key: string]: unknown;
}

/** The JSON lines of a server's output (the human ready line is the one line that is not JSON). */
export function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** Resolves with how the process ended and when. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode, at: Date.now() });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
