// A pass-through that computes a blob's size and five digests without hashing on the event loop. The
// first INLINE_MAX_BYTES are only kept: a stream that ends within them is hashed here, at once (cheaper
// than a round trip to a worker); a longer one hands them to the digest lanes and continues there.
import { Transform } from 'node:stream';
import { BlobTooLargeError, type BlobDigests } from '../../ports.js';
import { digestsInline, type Digests } from './hashers.js';
import { openDigestJob, type DigestJob } from './lanes.js';

/** At most ~3 ms of the event loop for all five digests (~86 MiB/s on one core of the development machine). */
export const INLINE_MAX_BYTES = 256 * 1024;

export interface DigestingStream {
  /** Pass the bytes through it; it fails with BlobTooLargeError past `maxBytes`. */
  stream: Transform;
  /** Size and digests, once the stream has ended. */
  digests(): BlobDigests;
}

export function digestingStream(options: { maxBytes?: number } = {}): DigestingStream {
  let size = 0;
  let head: Buffer[] = [];
  let job: DigestJob | undefined;
  let result: BlobDigests | undefined;

  const toLanes = async (chunks: Buffer[]) => {
    for (const chunk of chunks) await job!.write(chunk);
  };

  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (options.maxBytes !== undefined && size > options.maxBytes) {
        done(new BlobTooLargeError(options.maxBytes));
        return;
      }
      if (!job && size <= INLINE_MAX_BYTES) {
        head.push(chunk);
        done(null, chunk);
        return;
      }
      let chunks = [chunk];
      if (!job) {
        job = openDigestJob((err) => stream.destroy(err));
        chunks = [...head, chunk];
        head = [];
      }
      toLanes(chunks).then(() => done(null, chunk), done);
    },
    flush(done) {
      const digests: Promise<Digests> = job ? job.finish() : digestsInline(head);
      digests.then((d) => {
        head = [];
        result = { size, ...d };
        done();
      }, done);
    },
    destroy(err, done) {
      job?.cancel();
      head = [];
      done(err);
    },
  });

  return {
    stream,
    digests() {
      if (!result) throw new Error('the digests are known only once the stream has ended');
      return result;
    },
  };
}
