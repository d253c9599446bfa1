// Every injected fault is one log line. The line is built here and written by one small function, so it can
// be pointed at the server's request logger later without touching the injector.

export interface FaultLogEntry {
  time: string;
  msg: 'fault injected';
  /** The rule's number, 1-based, in the order the rules were given. */
  rule: number;
  spec: string;
  /** Which of the requests this rule matched was hit (1-based): equal across runs with the same seed. */
  match: number;
  /** The operation name, or METHOD PATH as the client sent it. */
  target: string;
  /** What was done: "ThrottlingException (429, Retry-After 1 s)", "503", "latency 200 ms", ... */
  effect: string;
  requestId: string;
}

export type FaultLog = (entry: FaultLogEntry) => void;

/** The default: one JSON line on stdout. */
export const stdoutFaultLog: FaultLog = (entry) => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};
