// Which domain a package-endpoint token belongs to, remembered after the first look-up so a hot request
// pays neither the hash's table look-up in the store nor the domain's. Keyed by the token's SHA-256 (as the
// store keys it: the token itself is never kept), bounded, and an entry never outlives its token.
// Tokens cannot be revoked before they expire (CodeArtifact has no such operation), so nothing else can make
// a remembered token wrong; a domain deleted meanwhile is caught by the caller, who compares domain ids.
import type { Socket } from 'node:net';
import { sha256Hex } from '../core/ids.js';

export interface KnownToken {
  domainId: number;
  /** Epoch ms. */
  expiresAt: number;
}

export class TokenCache {
  private readonly entries = new Map<string, KnownToken>();
  /** The last Authorization header each keep-alive connection sent, and what it meant. */
  private readonly byConnection = new WeakMap<Socket, { header: string } & KnownToken>();

  constructor(private readonly capacity = 10_000) {}

  /** A remembered, unexpired token; undefined means "ask the store". */
  get(token: string, now: number): KnownToken | undefined {
    const key = sha256Hex(token);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit;
  }

  remember(token: string, known: KnownToken): void {
    const key = sha256Hex(token);
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, known);
  }

  /**
   * For the fast lane: a client on a keep-alive connection sends the same header on every request, so the
   * answer for this connection's last header is reused without hashing; anything else goes through get().
   */
  forConnection(socket: Socket, header: string, token: () => string | undefined, now: number): KnownToken | undefined {
    const last = this.byConnection.get(socket);
    if (last && last.header === header && last.expiresAt > now) return last;
    const value = token();
    const known = value === undefined ? undefined : this.get(value, now);
    if (known) this.byConnection.set(socket, { header, ...known });
    return known;
  }
}
