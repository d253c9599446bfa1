// The process's log: JSON lines on stdout (pino), one per request (see requestLog.ts) and one per event worth
// an operator's attention. The human ready line main.ts prints is not a log line and is always printed.
import pino, { type Logger } from 'pino';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * `{"level":"info","time":"2026-12-01T12:00:00.000Z","pid":123,"msg":"…",…}`.
 *
 * `sync: false` (the server's log): a line is handed to the kernel without the event loop waiting for it.
 * While one write is in flight, the next lines gather in a buffer and go out together in the following one, so
 * under load a line costs a share of one write(2) instead of its own (a synchronous write was about half of a
 * fast-lane request's CPU), and a full stdout pipe no longer stalls the event loop. When idle, each line is
 * written at once. Whatever is buffered is written synchronously when the process exits, also after an
 * uncaught exception; only a SIGKILL can lose the lines of the last write in flight.
 */
const MAX_BUFFERED = 16 * 1024 * 1024;
const EXIT_FLUSH_MS = 2000;

export function createLogger(level: LogLevel, fd = 1, { sync = true }: { sync?: boolean } = {}): Logger {
  // A reader that stops reading (a full pipe) must neither stall the server nor grow its memory without end:
  // past MAX_BUFFERED the lines are dropped; at exit the flush waits for the reader for EXIT_FLUSH_MS at most.
  let giveUpAt = Infinity;
  const destination = pino.destination({
    fd,
    sync,
    ...(sync ? {} : { maxLength: MAX_BUFFERED, retryEAGAIN: () => Date.now() < giveUpAt }),
  });
  if (!sync)
    process.on('exit', () => {
      giveUpAt = Date.now() + EXIT_FLUSH_MS;
      try {
        destination.flushSync();
      } catch {
        // Nothing more can be done for a log that cannot be written at exit.
      }
    });
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
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
