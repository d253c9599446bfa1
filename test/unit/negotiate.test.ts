import { describe, expect, it } from 'vitest';
import { negotiate } from '../../server/formats/pypi/negotiate.js';

describe('PEP 691 content negotiation', () => {
  it('gives pip, uv and poetry JSON (their first choice)', () => {
    const pip = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';
    expect(negotiate(pip)).toEqual({ format: 'json', contentType: 'application/vnd.pypi.simple.v1+json' });
    expect(negotiate('application/vnd.pypi.simple.v1+json, */*;q=0.1')?.format).toBe('json');
  });

  it('honours q-values over order', () => {
    expect(negotiate('application/vnd.pypi.simple.v1+json;q=0.2, text/html')?.format).toBe('html');
    expect(negotiate('text/html;q=0.5, application/vnd.pypi.simple.latest+json;q=0.9')).toEqual({
      format: 'json',
      contentType: 'application/vnd.pypi.simple.v1+json',
    });
  });

  it('answers HTML for browsers, */* and no header', () => {
    expect(negotiate(undefined)?.format).toBe('html');
    expect(negotiate('*/*')?.format).toBe('html');
    expect(negotiate('text/html,application/xhtml+xml,*/*;q=0.8')?.contentType).toMatch(/^text\/html/);
    expect(negotiate('application/vnd.pypi.simple.v1+html')?.contentType).toBe('application/vnd.pypi.simple.v1+html');
  });

  it('returns nothing (406) when no offered type is acceptable', () => {
    expect(negotiate('application/xml')).toBeUndefined();
    expect(negotiate('application/vnd.pypi.simple.v2+json')).toBeUndefined();
    expect(negotiate('text/html;q=0')).toBeUndefined();
  });
});
