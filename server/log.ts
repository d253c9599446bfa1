// The process's log: JSON lines on stdout (pino), one per request (see requestLog.ts) and one per event worth
// an operator's attention. The human ready line main.ts prints is not a log line and is always printed.
import pino, { type Logger } from 'pino';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * `{"level":"info","time":"2026-12-01T12:00:00.000Z","pid":123,"msg":"…",…}`. Writes are synchronous: no line is
 * lost at exit, and a line costs one write(2). Not sonic-boom's asynchronous mode: its flushSync at exit retries a
 * write that failed with EPIPE forever, so a server whose stdout reader had gone (its parent exited) never
 * exited on SIGTERM; the synchronous writer turns EPIPE into pino's "stop logging" instead.
 */
export function createLogger(level: LogLevel, fd = 1): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd, sync: true }),
  );
}

/**
 * The logger every server module writes to. main.ts installs the one --log-level asks for; until then (an
 * app created in-process, as the HTTP tests do) only errors are written, to stderr.
 */
export let log: Logger = createLogger('error', 2);

export function setLogger(logger: Logger): void {
  log = logger;
}
