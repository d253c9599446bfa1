// PEP 691 content negotiation: pick the best of JSON and HTML by the Accept header's q-values.
export type SimpleFormat = 'json' | 'html';

export const CONTENT_TYPES: Record<SimpleFormat, string> = {
  json: 'application/vnd.pypi.simple.v1+json',
  html: 'application/vnd.pypi.simple.v1+html',
};

/** What each media range offers, most specific first. `text/html` is served as the v1 HTML type. */
const OFFERS: [string, SimpleFormat, string][] = [
  ['application/vnd.pypi.simple.v1+json', 'json', CONTENT_TYPES.json],
  ['application/vnd.pypi.simple.latest+json', 'json', CONTENT_TYPES.json],
  ['application/vnd.pypi.simple.v1+html', 'html', CONTENT_TYPES.html],
  ['application/vnd.pypi.simple.latest+html', 'html', CONTENT_TYPES.html],
  ['text/html', 'html', 'text/html; charset=utf-8'],
];

export interface Choice {
  format: SimpleFormat;
  contentType: string;
}

/** undefined means nothing acceptable: answer 406. No header means anything (HTML, as Warehouse). */
export function negotiate(accept: string | undefined): Choice | undefined {
  if (!accept || !accept.trim()) return { format: 'html', contentType: 'text/html; charset=utf-8' };
  let best: (Choice & { q: number; order: number }) | undefined;
  accept.split(',').forEach((part, order) => {
    const [rangeRaw, ...params] = part.split(';').map((s) => s.trim());
    const range = (rangeRaw ?? '').toLowerCase();
    if (!range) return;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k === 'q') q = Number(v);
    }
    if (!(q > 0) || q > 1) return;
    let choice: Choice | undefined;
    if (range === '*/*' || range === 'text/*') choice = { format: 'html', contentType: 'text/html; charset=utf-8' };
    else if (range === 'application/*') choice = { format: 'json', contentType: CONTENT_TYPES.json };
    else {
      const offer = OFFERS.find(([type]) => type === range);
      if (offer) choice = { format: offer[1], contentType: offer[2] };
    }
    if (!choice) return;
    // Higher q wins; on a tie the earlier range in the header wins.
    if (!best || q > best.q) best = { ...choice, q, order };
  });
  return best && { format: best.format, contentType: best.contentType };
}
