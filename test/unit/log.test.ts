// The log's writer: lines batched per turn of the event loop, and request lines built without pino's walk.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, flushLog, isoTime, log, logRequest, setLogger, TurnBatchedLines } from '../../server/log.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

describe('the log writer', () => {
  let dir: string;
  let file: string;
  let fd: number;
  const written = () => readFileSync(file, 'utf8');
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'log-'));
    file = path.join(dir, 'out.log');
    fd = openSync(file, 'w');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a turn\'s lines together, in order, once the turn ends; flush() writes them at once', async () => {
    const lines = new TurnBatchedLines(fd);
    lines.write('a\n');
    lines.write('b\n');
    expect(written()).toBe('');
    await nextTurn();
    expect(written()).toBe('a\nb\n');
    lines.write('c\n');
    lines.flush();
    expect(written()).toBe('a\nb\nc\n');
  });

  it('does not hold more than 64 KiB for the end of the turn', () => {
    const lines = new TurnBatchedLines(fd);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) lines.write(line);
    expect(written().length).toBe(64 * 1024);
  });

  it('stops logging, without throwing, once the destination fails (no space, a reader gone)', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const lines = new TurnBatchedLines(full);
      lines.write('a\n');
      expect(() => lines.flush()).not.toThrow();
      lines.write('b\n');
      await nextTurn();
      expect(() => lines.flush()).not.toThrow();
    } finally {
      closeSync(full);
    }
  });

  it('writes a request line as the bytes pino writes for the same fields', async () => {
    const previous = log;
    setLogger(createLogger('info', fd));
    try {
      const fields = { method: 'GET', path: '/a"b\u2028é', status: null, ms: 0.5, bytes: 10, requestId: 'r-1', ua: undefined, aborted: true };
      logRequest('warn', fields);
      log.warn(fields, 'request');
      logRequest('info', {});
      log.info({}, 'request');
      flushLog();
    } finally {
      setLogger(previous);
    }
    const lines = written().trimEnd().split('\n').map((l) => l.replace(/"time":"[^"]+"/, '"time":"T"'));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(lines[1]);
    expect(lines[2]).toBe(lines[3]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', pid: process.pid, path: '/a"b\u2028é', msg: 'request' });
  });

  it('leaves out a level the logger does not write', () => {
    const previous = log;
    setLogger(createLogger('warn', fd));
    try {
      logRequest('info', { method: 'GET' });
      logRequest('warn', { method: 'HEAD' });
      flushLog();
    } finally {
      setLogger(previous);
    }
    expect(written().trimEnd().split('\n').map((l) => JSON.parse(l).method)).toEqual(['HEAD']);
  });

  it('writes times as Date#toISOString does', () => {
    const base = Date.parse('2026-12-01T23:59:59.000Z');
    for (const ms of [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 61_234, 86_400_000 * 400 + 7])
      expect(isoTime(base + ms)).toBe(new Date(base + ms).toISOString());
  });
});
