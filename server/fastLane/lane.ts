// The fast lane: the hot reads (a cached project page or project list, PEP 658 metadata, a file download)
// answered on the bare node:http request, before Express and its router, middleware and look-ups run.
//
// It never decides anything itself. An Express route that sends one of these responses *offers* it to the
// lane: the headers Express produced (security headers included), the body or the blob, the domain whose
// token may read it, and the store's change serial read before the route looked anything up. The lane
// replays an offer for a request with the same host, URL and Accept header while
//   - the store's change serial is still the one the offer was made at (any write that changes what a
//     package endpoint answers draws a new one, in this process or another on the same data),
//   - its external listings are still fresh (pages of a chain that ends in an external connection),
//   - the request's token is known, unexpired and of the offer's domain (when auth is on).
// Anything else (a miss, a token never seen, an expired one) goes to Express unchanged, which answers it
// and, where it can, offers again. 304, HEAD and Range are answered by the same functions the routes use.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newRequestId } from '../../core/ids.js';
import type { Store } from '../../storage/ports.js';
import { performance } from 'node:perf_hooks';
import { BoundedLru } from '../boundedLru.js';
import type { HotBlobs } from '../hotBlobs.js';
import { logWhenDone } from '../requestLog.js';
import { tokenFromAuthorization } from '../packageEndpoints.js';
import { sendBlob, type BlobResponse } from '../sendBlob.js';
import { sendBytes, type HeaderLines } from '../sendBytes.js';
import type { TokenCache } from '../tokenCache.js';

export interface LaneOptions {
  store: Store;
  /** Whether package endpoints require a token (config.auth). */
  auth: boolean;
  tokens: TokenCache;
  hot?: HotBlobs;
  /** Most offers kept (least recently used out first). */
  maxEntries?: number;
  /** Most bytes of page bodies kept. */
  maxBodyBytes?: number;
}

/** When an offer stops being replayable, besides a change serial moving on. */
export interface OfferValidity {
  /** The domain whose tokens may read it. */
  domainId: number;
  /** Epoch ms after which it must be recomputed (an external listing's freshness); none: no such limit. */
  freshUntil?: number;
}

type Body = { kind: 'bytes'; body: Buffer; etag: string; contentType: string } | { kind: 'blob'; blob: BlobResponse };

interface Entry {
  serial: number;
  domainId: number;
  freshUntil: number;
  /** Header lines set before the route's own (security headers...), without per-request ones. */
  headers: HeaderLines;
  body: Body;
  bytes: number;
  /** The virtual host the request came by, for its log line (as the Express chain notes it). */
  virtualHost: string | undefined;
}

/** What the lane knew about a request it passed on: what an offer for it is keyed and stamped with. */
interface Passed {
  key: string;
  serial: number;
}

// Headers Node or the request chain sets per request: never replayed.
const PER_REQUEST = new Set(['x-amzn-requestid', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export interface FastLane {
  /**
   * Answers the request when an offer matches; false (or a promise of it, when the change serial must be
   * read first) when Express must answer it.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean>;
  /** A route is about to send these bytes (a page, metadata) with sendBytes. */
  offerBytes(req: IncomingMessage, res: ServerResponse, body: Buffer, etag: string, contentType: string, validity: OfferValidity): void;
  /** A route is about to send this blob with sendBlob. */
  offerBlob(req: IncomingMessage, res: ServerResponse, blob: BlobResponse, validity: OfferValidity): void;
  readonly stats: { hits: number; passed: number; offers: number; entries: number };
}

const keyOf = (req: IncomingMessage) => `${req.headers.host ?? ''}\n${req.url}\n${req.headers.accept ?? ''}`;

export function createFastLane(options: LaneOptions): FastLane {
  const { store, tokens } = options;
  const maxEntries = options.maxEntries ?? 20_000;
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024 * 1024;
  const entries = new BoundedLru<string, Entry>({ maxEntries, maxBytes: maxBodyBytes });
  const passed = new WeakMap<IncomingMessage, Passed>();
  const stats = { hits: 0, passed: 0, offers: 0, entries: 0 };

  // The serial is read once per turn of the event loop, however many requests that turn handles: a
  // request read from its socket in the same turn is concurrent with any write committed during it.
  let serialThisTurn: Promise<number> | undefined;
  let knownThisTurn: number | undefined;
  const endOfTurn = () => {
    serialThisTurn = undefined;
    knownThisTurn = undefined;
  };
  const currentSerial = () => {
    if (!serialThisTurn) {
      const pending: Promise<number> = store.changeSerial().then((serial) => {
        if (serialThisTurn === pending) knownThisTurn = serial;
        return serial;
      });
      serialThisTurn = pending;
      setImmediate(endOfTurn);
    }
    return serialThisTurn;
  };

  function remember(key: string, entry: Entry) {
    entries.set(key, entry, entry.bytes);
    stats.entries = entries.size;
  }

  function tokenDomain(req: IncomingMessage, now: number): number | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    return tokens.forConnection(req.socket, header, () => tokenFromAuthorization(header), now)?.domainId;
  }

  function offer(req: IncomingMessage, res: ServerResponse, body: Body, bytes: number, validity: OfferValidity) {
    const at = passed.get(req);
    if (!at) return;
    if (validity.freshUntil !== undefined && validity.freshUntil <= Date.now()) return;
    const headers: HeaderLines = [];
    // Names as the chain spelled them, so the replay is the same bytes on the wire.
    for (const name of (res as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames()) {
      const value = res.getHeader(name);
      if (value !== undefined && !PER_REQUEST.has(name.toLowerCase())) headers.push(name, value);
    }
    stats.offers++;
    remember(at.key, {
      serial: at.serial,
      domainId: validity.domainId,
      freshUntil: validity.freshUntil ?? Infinity,
      headers,
      body,
      bytes,
      virtualHost: ((res as { locals?: Record<string, unknown> }).locals?.virtualHost as string | undefined) ?? undefined,
    });
  }

  function answer(req: IncomingMessage, res: ServerResponse, serial: number): boolean {
    const key = keyOf(req);
    const entry = entries.get(key);
    const now = Date.now();
    if (entry && (entry.serial !== serial || entry.freshUntil <= now)) {
      entries.delete(key);
      stats.entries = entries.size;
    } else if (entry && (!options.auth || tokenDomain(req, now) === entry.domainId)) {
      stats.hits++;
      const start = performance.now();
      const requestId = newRequestId();
      let sent = 0;
      if (entry.virtualHost) (res as { locals?: Record<string, unknown> }).locals = { virtualHost: entry.virtualHost };
      logWhenDone(req, res, start, { bytes: () => sent, requestId: () => requestId });
      const preset: HeaderLines = ['x-amzn-RequestId', requestId, ...entry.headers];
      const body = entry.body;
      if (body.kind === 'bytes') sent = sendBytes(req, res, body.body, body.etag, body.contentType, preset);
      else {
        const result = sendBlob(req, res, { blobs: store.blobs, hot: options.hot }, body.blob, preset);
        if (typeof result === 'number') sent = result;
        else
          result.then(
            (n) => (sent = n),
            () => res.destroy(),
          );
      }
      return true;
    }
    passed.set(req, { key, serial });
    stats.passed++;
    return false;
  }

  function handle(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (knownThisTurn !== undefined) return answer(req, res, knownThisTurn);
    return currentSerial().then((serial) => answer(req, res, serial));
  }

  return {
    handle,
    offerBytes: (req, res, body, etag, contentType, validity) =>
      offer(req, res, { kind: 'bytes', body, etag, contentType }, body.length, validity),
    offerBlob: (req, res, blob, validity) => offer(req, res, { kind: 'blob', blob }, 0, validity),
    stats,
  };
}
