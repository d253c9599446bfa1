// The process's log: JSON lines on stdout (pino), one per request (see requestLog.ts) and one per event worth
// an operator's attention. The human ready line main.ts prints is not a log line and is always printed.
import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Past this many buffered characters, lines are written at once rather than at the end of the turn. */
const MAX_BUFFERED = 64 * 1024;

/**
 * Where the lines go: appended to a buffer that one write(2) empties at the end of the event loop's turn (or
 * sooner, past 64 KiB). Under load a turn answers many requests, and a line per request then costs a string
 * append instead of a system call and a wake-up of the process reading the pipe (the reader alone spent about
 * 11 µs per cached page, against the server's 45). The writes themselves are synchronous, as before:
 *   - at exit the buffer is written out, so nothing logged is lost then (kill -9 loses the current turn's lines);
 *   - not sonic-boom's asynchronous mode, whose flushSync at exit retries a write that failed with EPIPE
 *     forever (a server whose stdout reader had gone never exited on SIGTERM): EPIPE or EBADF here means
 *     nobody reads any more, and logging stops.
 */
export class TurnBatchedLines {
  private pending: string[] = [];
  private buffered = 0;
  private scheduled = false;
  private broken = false;

  constructor(private readonly fd: number) {}

  /** pino's destination interface. */
  write(line: string): boolean {
    if (this.broken) return true;
    this.pending.push(line);
    this.buffered += line.length;
    if (this.buffered >= MAX_BUFFERED) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  /** Writes what is buffered, now. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending.length === 1 ? this.pending[0]! : this.pending.join(''), 'utf8');
    this.pending = [];
    this.buffered = 0;
    let offset = 0;
    while (offset < bytes.length && !this.broken) {
      try {
        offset += writeSync(this.fd, bytes, offset);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // A non-blocking pipe that is full: wait for the reader, as a blocking write would.
        if (code === 'EAGAIN') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        else this.broken = true;
      }
    }
  }
}

// Date#toISOString costs about 1 µs, as much as the rest of a request line: the part up to the second is
// kept and only the milliseconds are written per line.
let isoSecond = Number.NaN;
let isoPrefix = '';

/** `new Date(now).toISOString()`, cheaper. */
export function isoTime(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20); // YYYY-MM-DDTHH:MM:SS.
  }
  const ms = now - second * 1000;
  return `${isoPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

/** `{"level":"info","time":"2026-12-01T12:00:00.000Z","pid":123,…,"msg":"…"}` on `fd`, written a turn at a time. */
export function createLogger(level: LogLevel, fd = 1): Logger {
  const lines = new TurnBatchedLines(fd);
  process.once('exit', () => lines.flush());
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: () => `,"time":"${isoTime()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    lines,
  );
  destinations.set(logger, lines);
  return logger;
}

/** The line writers of the loggers createLogger made (a logger set up elsewhere, as in tests, has none). */
const destinations = new WeakMap<Logger, TurnBatchedLines>();

/**
 * The logger every server module writes to. main.ts installs the one --log-level asks for; until then (an
 * app created in-process, as the HTTP tests do) only errors are written, to stderr.
 */
export let log: Logger = createLogger('error', 2);

export function setLogger(logger: Logger): void {
  log = logger;
}

/** Writes the log's buffered lines now (before output that must come after them, such as the ready line). */
export function flushLog(): void {
  destinations.get(log)?.flush();
}

export type RequestLevel = 'info' | 'warn' | 'error';

/**
 * A request's line (`fields` as requestLog.ts builds them): the bytes pino writes for
 * `log[level](fields, 'request')`, built here in one JSON.stringify instead of pino's walk over the fields
 * (the request line is the log's hot path: one per request). A logger made elsewhere gets the pino call.
 */
export function logRequest(level: RequestLevel, fields: Record<string, unknown>): void {
  const lines = destinations.get(log);
  if (!lines) {
    log[level](fields, 'request');
    return;
  }
  if (!log.isLevelEnabled(level)) return;
  const own = JSON.stringify(fields);
  lines.write(
    `{"level":"${level}","time":"${isoTime()}","pid":${process.pid}${own.length > 2 ? `,${own.slice(1, -1)}` : ''},"msg":"request"}\n`,
  );
}
