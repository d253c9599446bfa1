// The injector: which requests a rule hits (every Nth, at most count, first rule wins), the seeded generator
// (same seed, same requests failed; another seed, other requests), counters, and the log line per fault.
import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../server/faults/injector.js';
import type { FaultLogEntry } from '../../server/faults/log.js';
import { mulberry32, ruleSeed } from '../../server/faults/prng.js';
import { parseFaultSpec } from '../../server/faults/rules.js';

function injector(specs: string[], seed = 1) {
  const log: FaultLogEntry[] = [];
  const faults = new FaultInjector({ seed, rules: specs.map(parseFaultSpec) }, (e) => log.push(e), () => new Date(0));
  return { faults, log };
}

/** For n ListDomains calls, which (1-based) were hit. */
function hits(faults: FaultInjector, n: number, op = 'ListDomains'): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (faults.forOperation(op, `req-${i}`)) out.push(i);
  return out;
}

describe('the generator', () => {
  it('mulberry32 is deterministic, in [0, 1), and its seeds lead apart', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = first.reduce((s, x) => s + x, 0) / first.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    // Known first value: a regression guard that the sequence for a seed never changes between releases.
    expect(mulberry32(1)()).toBeCloseTo(0.6270739405881613, 12);
    expect(ruleSeed(1, 0)).not.toBe(ruleSeed(1, 1));
    expect(ruleSeed(1, 0)).not.toBe(ruleSeed(2, 0));
  });
});

describe('fault injector', () => {
  it('every=N hits the Nth, 2Nth, ... matching request; count caps the hits; the rest only count', () => {
    const { faults } = injector(['op=ListDomains,error=ThrottlingException,every=2,count=3']);
    expect(hits(faults, 10)).toEqual([2, 4, 6]);
    expect(faults.view().rules[0]).toMatchObject({ matched: 10, injected: 3, injectedOn: [2, 4, 6] });
  });

  it('without prob or every it hits every matching request; other operations pass', () => {
    const { faults } = injector(['op=ListDomains,error=InternalServerException,count=2']);
    expect(faults.forOperation('DescribeDomain', 'r')).toBeUndefined();
    expect(hits(faults, 4)).toEqual([1, 2]);
    expect(faults.view().rules[0]).toMatchObject({ matched: 4, injected: 2 });
  });

  it('two injectors with the same seed fail the same request sequence; another seed fails others', () => {
    const spec = ['op=ListDomains,error=ThrottlingException,prob=0.3', 'route=GET /pypi/**/*.whl,status=503,prob=0.5'];
    const run = (seed: number) => {
      const { faults, log } = injector(spec, seed);
      const outcome: string[] = [];
      for (let i = 0; i < 200; i++) {
        const op = faults.forOperation('ListDomains', `op-${i}`);
        const file = faults.forRoute('GET', `/pypi/main/simple/p/1.0/p-1.0-py3-none-any.whl`, `file-${i}`);
        outcome.push(`${op ? 'T' : '.'}${file ? 'U' : '.'}`);
      }
      return { outcome: outcome.join(' '), log: log.map((e) => `${e.rule}:${e.match}`), view: faults.view() };
    };
    const a = run(42);
    const b = run(42);
    expect(b.outcome).toBe(a.outcome);
    expect(b.log).toEqual(a.log);
    expect(b.view).toEqual(a.view);
    const other = run(43);
    expect(other.outcome).not.toBe(a.outcome);
    // Roughly the probabilities asked for.
    const [op, file] = a.view.rules as unknown as [{ injected: number }, { injected: number }];
    expect(op.injected).toBeGreaterThan(35);
    expect(op.injected).toBeLessThan(85);
    expect(file.injected).toBeGreaterThan(70);
    expect(file.injected).toBeLessThan(130);
  });

  it('a rule’s own seed= makes it independent of the run seed and of its position', () => {
    const alone = injector(['op=ListDomains,error=ThrottlingException,prob=0.5,seed=7'], 1);
    const second = injector(['op=DescribeDomain,latency=1', 'op=ListDomains,error=ThrottlingException,prob=0.5,seed=7'], 99);
    expect(hits(second.faults, 100)).toEqual(hits(alone.faults, 100));
  });

  it('adding a rule after another does not change what the first one hits', () => {
    const one = injector(['op=ListDomains,error=ThrottlingException,prob=0.4']);
    const two = injector(['op=ListDomains,error=ThrottlingException,prob=0.4', 'op=DescribeDomain,error=ThrottlingException,prob=0.4']);
    expect(hits(two.faults, 100)).toEqual(hits(one.faults, 100));
  });

  it('rules are tried in order; the first that hits wins and later rules do not see that request', () => {
    const { faults } = injector(['op=ListDomains,error=ThrottlingException,every=2', 'op=List*,error=InternalServerException']);
    const errors = [1, 2, 3, 4].map((i) => faults.forOperation('ListDomains', `r${i}`)?.error);
    expect(errors).toEqual(['InternalServerException', 'ThrottlingException', 'InternalServerException', 'ThrottlingException']);
    expect(faults.view().rules.map((r) => [r.matched, r.injected])).toEqual([
      [4, 2],
      [2, 2],
    ]);
  });

  it('route rules match method and path; control-plane rules never see routes and the other way round', () => {
    const { faults } = injector(['route=POST /pypi/**,status=503', 'op=*,error=InternalServerException']);
    expect(faults.forRoute('GET', '/pypi/d/x-000000000000/r/', 'a')).toBeUndefined();
    expect(faults.forRoute('POST', '/pypi/d/x-000000000000/r/', 'b')).toMatchObject({ rule: 1, status: 503, retryAfter: 1 });
    expect(faults.forOperation('ListDomains', 'c')).toMatchObject({ rule: 2, error: 'InternalServerException' });
    expect(faults.view().rules.map((r) => r.matched)).toEqual([1, 1]);
  });

  it('logs one entry per injected fault: time, rule, spec, match, target, effect, request id', () => {
    const { faults, log } = injector(['op=ListDomains,error=ThrottlingException,every=2,latency=5', 'route=GET /pypi/**,status=500']);
    hits(faults, 3);
    faults.forRoute('GET', '/pypi/main/simple/', 'the-request');
    expect(log).toEqual([
      {
        time: '1970-01-01T00:00:00.000Z',
        msg: 'fault injected',
        rule: 1,
        spec: 'op=ListDomains,error=ThrottlingException,retryAfter=1,latency=5,every=2',
        match: 2,
        target: 'ListDomains',
        effect: 'ThrottlingException (Retry-After 1 s), latency 5 ms',
        requestId: 'req-2',
      },
      {
        time: '1970-01-01T00:00:00.000Z',
        msg: 'fault injected',
        rule: 2,
        spec: 'route=GET /pypi/**,status=500',
        match: 1,
        target: 'GET /pypi/main/simple/',
        effect: '500',
        requestId: 'the-request',
      },
    ]);
  });

  it('replace starts every counter again (with a new seed if given); clear leaves no rules and the seed', () => {
    const { faults } = injector(['op=ListDomains,error=ThrottlingException,prob=0.5'], 5);
    const first = hits(faults, 50);
    faults.replace({ rules: [parseFaultSpec('op=ListDomains,error=ThrottlingException,prob=0.5')] });
    expect(faults.view().rules[0]).toMatchObject({ matched: 0, injected: 0 });
    expect(hits(faults, 50)).toEqual(first);
    faults.replace({ seed: 6, rules: [parseFaultSpec('op=ListDomains,error=ThrottlingException,prob=0.5')] });
    expect(faults.view().seed).toBe(6);
    expect(hits(faults, 50)).not.toEqual(first);
    faults.clear();
    expect(faults.active).toBe(false);
    expect(faults.view()).toEqual({ seed: 6, rules: [] });
    expect(faults.forOperation('ListDomains', 'x')).toBeUndefined();
  });
});
