// Reading a project page of the simple repository API (PEP 503 HTML or PEP 691 JSON) into the files it
// lists: file name, location (resolved against the page), the SHA-256 from the URL fragment or the hashes,
// requires-python, and the PEP 592 yank.
import { createRequire } from 'node:module';
import type { Parser as HtmlParser } from 'htmlparser2';
import type { ExternalFile } from '../ports.js';

// Loaded on the first HTML page read (an external source), not at start-up: with its DOM helpers it is some
// 60 files.
let parserClass: typeof HtmlParser | undefined;
const loadParser = () => (parserClass ??= (createRequire(import.meta.url)('htmlparser2') as typeof import('htmlparser2')).Parser);

const filenameOf = (location: string) => decodeURIComponent(new URL(location).pathname.split('/').pop() ?? '');

/** A URL fragment `#sha256=<hex>` (PEP 503), stripped from the location. */
function splitHash(href: string): { location: string; sha256?: string } {
  const url = new URL(href);
  const m = /^#sha256=([0-9a-f]{64})$/i.exec(url.hash);
  url.hash = '';
  return { location: url.toString(), sha256: m?.[1]?.toLowerCase() };
}

export function parseHtmlProjectPage(html: string, pageUrl: string): ExternalFile[] {
  const files: ExternalFile[] = [];
  const Parser = loadParser();
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name !== 'a' || !attributes.href) return;
        let resolved: string;
        try {
          resolved = new URL(attributes.href, pageUrl).toString();
        } catch {
          return;
        }
        const { location, sha256 } = splitHash(resolved);
        const filename = filenameOf(location);
        if (!filename) return;
        files.push({
          filename,
          location,
          sha256,
          requiresPython: attributes['data-requires-python'] || undefined,
          yanked: 'data-yanked' in attributes ? attributes['data-yanked'] ?? '' : undefined,
        });
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return files;
}

interface JsonFile {
  filename?: unknown;
  url?: unknown;
  hashes?: { sha256?: unknown };
  'requires-python'?: unknown;
  yanked?: unknown;
  size?: unknown;
}

export function parseJsonProjectPage(body: unknown, pageUrl: string): ExternalFile[] {
  const list = (body as { files?: unknown })?.files;
  if (!Array.isArray(list)) throw new Error('not a PEP 691 project page: no files list');
  return (list as JsonFile[]).flatMap((f) => {
    if (typeof f.filename !== 'string' || typeof f.url !== 'string') return [];
    const { location, sha256 } = splitHash(new URL(f.url, pageUrl).toString());
    const hash = typeof f.hashes?.sha256 === 'string' ? f.hashes.sha256.toLowerCase() : sha256;
    return [
      {
        filename: f.filename,
        location,
        sha256: hash,
        requiresPython: typeof f['requires-python'] === 'string' && f['requires-python'] ? f['requires-python'] : undefined,
        // PEP 691: false, true, or the reason.
        yanked: typeof f.yanked === 'string' ? f.yanked : f.yanked === true ? '' : undefined,
        size: typeof f.size === 'number' && Number.isSafeInteger(f.size) && f.size >= 0 ? f.size : undefined,
      },
    ];
  });
}
