// The JSON body of a control-plane request, read within limits (size, nesting depth) and parsed strictly: UTF-8
// only, no duplicate members, and integers beyond 2^53 kept exact (as bigint) so that a message can quote them
// as sent (`99999999999999999999999`, not `1e+23`). The parser is recursive but can go no deeper than the
// depth limit, so no body can exhaust the stack. Every refusal is a ValidationException saying what to fix.
import type { Request } from 'express';
import { ValidationError } from '../../core/errors.js';
import { firstInvalidUtf8 } from './wireText.js';

export interface JsonLimits {
  /** Largest body, in bytes. */
  maxBytes: number;
  /** Deepest nesting of objects and arrays (the body object itself is level 1). */
  maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxBytes: 1024 * 1024, maxDepth: 32 };

/** After the limit, at most this much more is read (and dropped) so the client sees the answer; then the socket is cut. */
const MAX_DRAINED_BYTES = 64 * 1024 * 1024;

/** The whole body, or a ValidationException once it passes `maxBytes` (after draining what the client still sends). */
function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size > maxBytes + MAX_DRAINED_BYTES) req.destroy();
    });
    req.on('end', () => {
      if (size <= maxBytes) return resolve(Buffer.concat(chunks));
      reject(new ValidationError(`The request body is ${size} bytes; a JSON body may take at most ${maxBytes} bytes`, 'OTHER'));
    });
    req.on('error', (err) => reject(new ValidationError(`The request body could not be read: ${err.message}`, 'CANNOT_PARSE')));
    req.on('close', () => {
      if (!req.complete)
        reject(new ValidationError(`The request body is larger than ${maxBytes} bytes, the limit for a JSON body`, 'OTHER'));
    });
  });
}

class JsonError extends Error {
  constructor(
    message: string,
    readonly at: number,
    /** Well-formed so far, but nested deeper than the limit. */
    readonly tooDeep = false,
  ) {
    super(message);
  }
}

/** A recursive-descent JSON parser (RFC 8259) with a depth limit, exact big integers and no duplicate members. */
class Parser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parse(): unknown {
    this.space();
    const value = this.value(1);
    this.space();
    if (this.i < this.text.length) this.fail(`unexpected ${this.shown()} after the end of the JSON value`);
    return value;
  }

  fail(message: string, at = this.i): never {
    throw new JsonError(message, at);
  }

  private shown(): string {
    const ch = this.text[this.i];
    if (ch === undefined) return 'end of the body';
    const code = ch.codePointAt(0)!;
    return code < 0x20 || code === 0x7f ? `character U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
  }

  private space(): void {
    while (/[ \t\n\r]/.test(this.text[this.i] ?? '')) this.i++;
  }

  private value(depth: number): unknown {
    const ch = this.text[this.i];
    if (ch === '{' || ch === '[') {
      if (depth > this.maxDepth)
        throw new JsonError(`nests objects and arrays more than ${this.maxDepth} levels deep`, this.i, true);
      return ch === '{' ? this.object(depth) : this.array(depth);
    }
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const)
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    return this.fail(`unexpected ${this.shown()} where a value should start`);
  }

  private object(depth: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    this.i++; // {
    this.space();
    if (this.text[this.i] === '}') {
      this.i++;
      return obj;
    }
    for (;;) {
      if (this.text[this.i] !== '"') this.fail(`expected a member name in double quotes, found ${this.shown()}`);
      const at = this.i;
      const key = this.string();
      if (Object.hasOwn(obj, key)) this.fail(`member '${key.slice(0, 100)}' is given twice in the same object`, at);
      this.space();
      if (this.text[this.i] !== ':') this.fail(`expected ':' after member name, found ${this.shown()}`);
      this.i++;
      this.space();
      // defineProperty: a member named __proto__ stays a plain member.
      Object.defineProperty(obj, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.space();
      if (this.separator(',', '}')) return obj;
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.i++; // [
    this.space();
    if (this.text[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.space();
      if (this.separator(',', ']')) return out;
    }
  }

  /** After a member or an element: true at the closing bracket, false after a comma; both consumed. */
  private separator(comma: string, close: string): boolean {
    const next = this.text[this.i];
    if (next !== comma && next !== close) this.fail(`expected '${comma}' or '${close}', found ${this.shown()}`);
    this.i++;
    this.space();
    return next === close;
  }

  private string(): string {
    const start = ++this.i; // opening quote
    let out = '';
    let run = start;
    for (;;) {
      const ch = this.text[this.i];
      if (ch === undefined) this.fail('a string is not closed', start - 1);
      if (ch === '"') break;
      if (ch < ' ') this.fail(`${this.shown()} must be escaped inside a string`);
      if (ch !== '\\') {
        this.i++;
        continue;
      }
      out += this.text.slice(run, this.i);
      const esc = this.text[this.i + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (esc !== undefined && simple[esc] !== undefined) {
        out += simple[esc];
        this.i += 2;
      } else if (esc === 'u' && /^[0-9A-Fa-f]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.i + 2, this.i + 6), 16));
        this.i += 6;
      } else this.fail(`invalid escape '\\${esc ?? ''}' in a string`);
      run = this.i;
    }
    out += this.text.slice(run, this.i);
    this.i++; // closing quote
    return out;
  }

  private number(): number | bigint {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 400));
    if (!m) return this.fail(`invalid number starting with ${this.shown()}`);
    this.i += m[0].length;
    if (/^\d/.test(this.text[this.i] ?? '')) this.fail('a number has too many digits (more than 400 characters)');
    const n = Number(m[0]);
    // An integer literal beyond what a double holds exactly stays exact, to be refused as given.
    return !m[1] && !m[2] && !Number.isSafeInteger(n) ? BigInt(m[0]) : n;
  }
}

/** Line and column (1-based) of offset `at` in `text`. */
function position(text: string, at: number): string {
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return `line ${line}, column ${at - before.lastIndexOf('\n')}`;
}

/** Parses a body's text; exported for tests. */
export function parseJson(text: string, maxDepth: number): unknown {
  try {
    return new Parser(text, maxDepth).parse();
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    const where = `at ${position(text, err.at)}`;
    if (err.tooDeep) throw new ValidationError(`Request body ${err.message} (${where}): no request needs that many`, 'OTHER');
    throw new ValidationError(`Request body is not valid JSON: ${err.message} (${where})`, 'CANNOT_PARSE');
  }
}

/** The JSON object a request sends as its body; {} for an empty body. */
export async function readJsonBody(req: Request, limits: JsonLimits = DEFAULT_JSON_LIMITS): Promise<Record<string, unknown>> {
  const bytes = await readBody(req, limits.maxBytes);
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0)
    throw new ValidationError(
      `Request body is not valid UTF-8: the byte 0x${bytes[bad]!.toString(16).toUpperCase().padStart(2, '0')} at offset ${bad} ` +
        'does not begin or continue a UTF-8 sequence (JSON bodies must be UTF-8)',
      'CANNOT_PARSE',
    );
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (/^[ \t\n\r]*$/.test(text)) return {};
  const parsed = parseJson(text, limits.maxDepth);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ValidationError('Request body must be a JSON object', 'CANNOT_PARSE');
  return parsed as Record<string, unknown>;
}
