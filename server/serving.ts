// What the package endpoints keep in memory to answer hot reads fast, built once per server: known tokens,
// small blobs, and the fast lane (absent when it is switched off).
import type { Store } from '../storage/ports.js';
import { createFastLane, type FastLane } from './fastLane/lane.js';
import { HotBlobs, type HotBlobOptions } from './hotBlobs.js';
import { TokenCache } from './tokenCache.js';

export interface Serving {
  tokens: TokenCache;
  hot: HotBlobs;
  lane: FastLane | undefined;
}

export interface ServingOptions {
  auth: boolean;
  fastLane: boolean;
  hotBlobs: HotBlobOptions;
}

export function createServing(store: Store, options: ServingOptions): Serving {
  const tokens = new TokenCache();
  const hot = new HotBlobs(store.blobs, options.hotBlobs);
  const lane = options.fastLane ? createFastLane({ store, auth: options.auth, tokens, hot }) : undefined;
  return { tokens, hot, lane };
}
