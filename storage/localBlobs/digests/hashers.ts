// The five digests a blob is stored with, over chunks: SHA-256, SHA-1, SHA-512 and MD5 from node:crypto,
// BLAKE2b-256 (twine's blake2_256_digest) from hash-wasm: OpenSSL has only blake2b512, and BLAKE2b's
// output length is a parameter of the whole computation, not a truncation.
import { createHash } from 'node:crypto';
import type { IHasher } from 'hash-wasm';
import type { BlobDigests } from '../../ports.js';

export type DigestName = Exclude<keyof BlobDigests, 'size'>;
export type Digests = Record<DigestName, string>;

export const DIGEST_NAMES: readonly DigestName[] = ['sha256', 'sha1', 'sha512', 'md5', 'blake2b256'];

/** Feeds every chunk to several hashes at once. */
export interface Hashers {
  update(data: Uint8Array): void;
  /** Hex digests, by name; the hashers are spent after. */
  digest(): Partial<Digests>;
}

/** A BLAKE2b-256 instance; hash-wasm is loaded on first use, so start-up does not pay for it. */
export async function createBlake2b256(): Promise<IHasher> {
  const { createBLAKE2b } = await import('hash-wasm');
  return createBLAKE2b(256);
}

/** Hashers for `names`; BLAKE2b-256 runs on `blake` (reset here), which the caller must then not share meanwhile. */
export function createHashers(names: readonly DigestName[], blake?: IHasher): Hashers {
  const each = names.map((name) => {
    if (name !== 'blake2b256') {
      const h = createHash(name);
      return { name, update: (d: Uint8Array) => void h.update(d), digest: () => h.digest('hex') };
    }
    if (!blake) throw new Error('BLAKE2b-256 needs a hash-wasm instance');
    blake.init();
    return { name, update: (d: Uint8Array) => void blake.update(d), digest: () => blake.digest('hex') };
  });
  return {
    update(data) {
      for (const h of each) h.update(data);
    },
    digest() {
      return Object.fromEntries(each.map((h) => [h.name, h.digest()])) as Partial<Digests>;
    },
  };
}

let inlineBlake: Promise<IHasher> | undefined;

/** All five digests of a few bytes in memory, on this thread: for small blobs a worker round trip costs more. */
export async function digestsInline(chunks: readonly Uint8Array[]): Promise<Digests> {
  const blake = await (inlineBlake ??= createBlake2b256());
  // Synchronous from here on, so the one shared BLAKE2b instance never serves two blobs at once.
  const hashers = createHashers(DIGEST_NAMES, blake);
  for (const chunk of chunks) hashers.update(chunk);
  return hashers.digest() as Digests;
}
