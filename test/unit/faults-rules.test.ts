// Fault rules: the text syntax (--fault, FAULTS), its JSON twin, the defaults filled in, and a reason for
// every spec that cannot work; the path and operation-name patterns they match with.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';
import { compileNameGlob, compilePathGlob } from '../../server/faults/glob.js';
import { FaultSpecError, faultRuleFromJson, parseFaultList, parseFaultSpec } from '../../server/faults/rules.js';

describe('fault specs', () => {
  it('an op rule: the operations it applies to, its error, defaults filled in, a canonical spec', () => {
    const rule = parseFaultSpec('op=ListDomains,error=ThrottlingException,every=2');
    expect(rule.target).toMatchObject({ kind: 'operation' });
    expect(rule.target.kind === 'operation' && [...rule.target.operations]).toEqual(['ListDomains']);
    expect(rule).toMatchObject({ error: 'ThrottlingException', retryAfter: 1, every: 2, latencyMs: 0 });
    expect(rule.spec).toBe('op=ListDomains,error=ThrottlingException,retryAfter=1,every=2');
    expect(rule.members).toEqual({ op: 'ListDomains', error: 'ThrottlingException', retryAfter: 1, every: 2 });
    // The canonical spec is itself a valid spec for the same rule.
    expect(parseFaultSpec(rule.spec).spec).toBe(rule.spec);
  });

  it('a route rule: method, path pattern, status, probability and count; spaces around items are fine', () => {
    const rule = parseFaultSpec(' route=GET /pypi/**/*.whl , status=503 , prob=0.3 , count=5 ');
    expect(rule).toMatchObject({ status: 503, retryAfter: 1, prob: 0.3, count: 5 });
    expect(rule.spec).toBe('route=GET /pypi/**/*.whl,status=503,retryAfter=1,prob=0.3,count=5');
    expect(parseFaultSpec('route=post /pypi/**,status=500').spec).toBe('route=post /pypi/**,status=500');
    expect(parseFaultSpec('route=POST|PUT /pypi/**,status=500').target).toMatchObject({ methods: new Set(['POST', 'PUT']) });
    expect(parseFaultSpec('route=* /**,latency=50').target).toMatchObject({ methods: '*' });
  });

  it('Retry-After: 1 s by default for ThrottlingException, 429 and 503; settable, 0 included; none otherwise', () => {
    expect(parseFaultSpec('route=GET /pypi/**,status=429').retryAfter).toBe(1);
    expect(parseFaultSpec('route=GET /pypi/**,status=503,retryAfter=0').retryAfter).toBe(0);
    expect(parseFaultSpec('route=GET /pypi/**,status=500').retryAfter).toBeUndefined();
    expect(parseFaultSpec('route=GET /pypi/**,status=500,retryAfter=3').retryAfter).toBe(3);
    expect(parseFaultSpec('op=ListDomains,error=ThrottlingException,retryAfter=7').retryAfter).toBe(7);
    expect(parseFaultSpec('op=ListDomains,error=InternalServerException').retryAfter).toBeUndefined();
  });

  it('latency alone is an effect; with an error both apply', () => {
    expect(parseFaultSpec('op=ListDomains,latency=250')).toMatchObject({ latencyMs: 250, error: undefined });
    expect(parseFaultSpec('op=ListDomains,error=InternalServerException,latency=10')).toMatchObject({ latencyMs: 10 });
  });

  it('operation globs apply to the matching operations that declare the error', () => {
    const rule = parseFaultSpec('op=List*,error=ThrottlingException');
    const ops = rule.target.kind === 'operation' ? [...rule.target.operations] : [];
    expect(ops).toContain('ListDomains');
    expect(ops).toContain('ListPackageVersions');
    expect(ops.every((o) => o.startsWith('List'))).toBe(true);
    // ServiceQuotaExceeded: only the operations that declare it.
    const quota = parseFaultSpec('op=*,error=ServiceQuotaExceededException');
    const quotaOps = quota.target.kind === 'operation' ? quota.target.operations : new Set();
    expect(quotaOps.has('CreateDomain')).toBe(true);
    expect(quotaOps.has('ListDomains')).toBe(false);
    // GetAssociatedPackageGroup declares no ThrottlingException.
    const all = parseFaultSpec('op=*,error=ThrottlingException');
    expect(all.target.kind === 'operation' && all.target.operations.has('GetAssociatedPackageGroup')).toBe(false);
    expect(all.target.kind === 'operation' && all.target.operations.has('ListDomains')).toBe(true);
  });

  it('every modeled error code is accepted where declared', () => {
    for (const code of ['AccessDeniedException', 'ConflictException', 'InternalServerException', 'ResourceNotFoundException',
      'ServiceQuotaExceededException', 'ThrottlingException', 'ValidationException'])
      expect(parseFaultSpec(`op=CreateRepository,error=${code}`).error).toBe(code);
  });

  it.each([
    ['', /empty item/],
    ['op=ListDomains', /needs an effect: error=CODE and\/or latency=MS/],
    ['route=GET /pypi/**', /needs an effect: status=N/],
    ['error=ThrottlingException', /exactly one target/],
    ['op=ListDomains,route=GET /x,error=ThrottlingException', /exactly one target/],
    ['op=ListDomains,error=Throttling', /error must be one of AccessDeniedException, .*ValidationException, not 'Throttling'/],
    ['op=ListDomain,error=ThrottlingException', /no control-plane operation matches 'ListDomain'/],
    ['op=List-Domains,error=ThrottlingException', /letters only/],
    ['op=ListDomains,error=ServiceQuotaExceededException', /ListDomains does not declare ServiceQuotaExceededException \(it declares AccessDeniedException, InternalServerException, ThrottlingException, ValidationException\)/],
    ['op=List*,error=ConflictException', /no operation matching 'List\*' declares ConflictException/],
    ['op=ListDomains,status=503', /status= is for route rules/],
    ['route=GET /pypi/**,error=ThrottlingException', /error= is for op rules/],
    ['route=GET /pypi/**,status=200', /status must be an HTTP error status from 400 to 599, not '200'/],
    ['route=GET /pypi/**,status=5xx', /status must be/],
    ['route=/pypi/**,status=503', /route must be 'METHOD PATH'/],
    ['route=GET pypi/**,status=503', /starts with '\/'/],
    ['route=G3T /pypi/**,status=503', /the method is a name like GET/],
    ['route=GET /pypi/a**b,status=503', /'\*\*' must be a whole path segment/],
    ['route=GET /v1/domains,status=503', /matched by operation name \(op=ListDomains\)/],
    ['route=GET /health,status=503', /never apply to \/health or \/_local\//],
    ['route=PUT /_local/faults,status=503', /never apply/],
    ['op=ListDomains,error=ThrottlingException,prob=1.5', /prob must be a number from 0 to 1, not '1.5'/],
    ['op=ListDomains,error=ThrottlingException,prob=-0.1', /prob must be a number from 0 to 1/],
    ['op=ListDomains,error=ThrottlingException,every=0', /every must be a whole number of requests, 1 or more, not '0'/],
    ['op=ListDomains,error=ThrottlingException,every=2,prob=0.5', /prob= or every=, not both/],
    ['op=ListDomains,error=ThrottlingException,count=1.5', /count must be a whole number/],
    ['op=ListDomains,latency=-5', /latency must be a delay in milliseconds/],
    ['op=ListDomains,latency=9999999', /latency must be a delay in milliseconds up to 600000/],
    ['op=ListDomains,error=InternalServerException,retryAfter=2', /retryAfter= goes with error=ThrottlingException or a status/],
    ['op=ListDomains,error=ThrottlingException,seed=4294967296', /seed must be a whole number from 0 to 4294967295/],
    ['op=ListDomains,error=ThrottlingException,every=2,every=3', /every given twice/],
    ['op=ListDomains,error=ThrottlingException,often=2', /unknown key 'often' \(keys: op, route, error/],
    ['op=ListDomains,ThrottlingException', /'ThrottlingException' is not key=value/],
    ['op=ListDomains,error=', /error must be a non-empty string/],
  ])('rejects %j with a reason', (spec, reason) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(spec)).toThrow(reason);
  });

  it('FAULTS: specs separated by ;, empty items ignored, a bad one named in the error', () => {
    expect(parseFaultList('')).toEqual([]);
    const rules = parseFaultList('op=ListDomains,error=ThrottlingException,every=2; route=GET /pypi/**/*.whl,status=503;');
    expect(rules.map((r) => r.spec)).toEqual([
      'op=ListDomains,error=ThrottlingException,retryAfter=1,every=2',
      'route=GET /pypi/**/*.whl,status=503,retryAfter=1',
    ]);
    expect(() => parseFaultList('op=ListDomains,latency=5;op=Nope,latency=5')).toThrow(/^'op=Nope,latency=5': op: no control-plane operation/);
  });

  it('JSON: a string in the text syntax or an object with the same keys', () => {
    expect(faultRuleFromJson('op=ListDomains,error=ThrottlingException').spec).toBe('op=ListDomains,error=ThrottlingException,retryAfter=1');
    expect(faultRuleFromJson({ route: 'GET /pypi/**/*.whl', status: 503, prob: 0.25, count: 3 }).spec).toBe(
      'route=GET /pypi/**/*.whl,status=503,retryAfter=1,prob=0.25,count=3',
    );
    // What GET shows as a rule's members goes back in unchanged.
    const rule = faultRuleFromJson({ op: 'ListDomains', error: 'ThrottlingException', every: 3, latency: 5 });
    expect(faultRuleFromJson({ ...rule.members }).spec).toBe(rule.spec);
    expect(() => faultRuleFromJson(42)).toThrow(/a rule is a string .* or an object/);
    expect(() => faultRuleFromJson([])).toThrow(/a rule is a string/);
    expect(() => faultRuleFromJson({ op: 'ListDomains', error: 'ThrottlingException', every: [2] })).toThrow(/every must be a string or a number, not an array/);
    expect(() => faultRuleFromJson({ op: 'ListDomains', error: 'ThrottlingException', every: true })).toThrow(/not a boolean/);
    expect(() => faultRuleFromJson({ op: 'ListDomains', error: 'ThrottlingException', every: 2.5 })).toThrow(/every must be a whole number/);
    expect(() => faultRuleFromJson({ op: 'ListDomains', error: 'ThrottlingException', prob: '1e-3' })).toThrow(/prob must be/);
    expect(() => faultRuleFromJson({ op: 'ListDomains', kind: 'x' })).toThrow(/unknown key 'kind'/);
  });
});

describe('fault configuration at start', () => {
  it('--fault (repeatable) wins over FAULTS; --fault-seed over FAULT_SEED; default seed 1, no rules', () => {
    expect(loadConfig([], {}).faults).toEqual({ seed: 1, rules: [] });
    const fromEnv = loadConfig([], { FAULTS: 'op=ListDomains,latency=5;op=DescribeDomain,latency=5', FAULT_SEED: '9' }).faults;
    expect(fromEnv.seed).toBe(9);
    expect(fromEnv.rules.map((r) => r.spec)).toEqual(['op=ListDomains,latency=5', 'op=DescribeDomain,latency=5']);
    const fromFlags = loadConfig(
      ['--fault', 'op=ListDomains,error=ThrottlingException', '--fault', 'route=GET /pypi/**,status=503', '--fault-seed', '0'],
      { FAULTS: 'op=DescribeDomain,latency=5', FAULT_SEED: '9' },
    ).faults;
    expect(fromFlags.seed).toBe(0);
    expect(fromFlags.rules.map((r) => r.spec)).toEqual([
      'op=ListDomains,error=ThrottlingException,retryAfter=1',
      'route=GET /pypi/**,status=503,retryAfter=1',
    ]);
  });

  it('a bad spec or seed is a ConfigError of one line naming it', () => {
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(message(() => loadConfig(['--fault', 'op=ListDomains'], {}))).toBe(
      "Invalid --fault 'op=ListDomains': a rule needs an effect: error=CODE and/or latency=MS",
    );
    expect(message(() => loadConfig([], { FAULTS: 'route=GET /pypi/**,status=99' }))).toBe(
      "Invalid FAULTS: 'route=GET /pypi/**,status=99': status must be an HTTP error status from 400 to 599, not '99'",
    );
    expect(message(() => loadConfig(['--fault-seed', 'abc'], {}))).toMatch(/^Invalid FAULT_SEED: abc \(a whole number from 0 to 4294967295\)$/);
    expect(message(() => loadConfig([], { FAULT_SEED: '4294967296' }))).toMatch(/^Invalid FAULT_SEED/);
  });
});

describe('path patterns', () => {
  const matches = (glob: string, path: string) => compilePathGlob(glob).test(path);

  it('* stays inside a segment; ? is one character; ** is any number of whole segments', () => {
    expect(matches('/pypi/*/simple/', '/pypi/repo/simple/')).toBe(true);
    expect(matches('/pypi/*/simple/', '/pypi/d/x-000000000000/repo/simple/')).toBe(false);
    expect(matches('/pypi/**/simple/', '/pypi/d/x-000000000000/repo/simple/')).toBe(true);
    expect(matches('/pypi/**/simple/', '/pypi/simple/')).toBe(true);
    expect(matches('/a/?.whl', '/a/x.whl')).toBe(true);
    expect(matches('/a/?.whl', '/a/xy.whl')).toBe(false);
    expect(matches('/a/?', '/a//')).toBe(false);
    expect(matches('/pypi/**', '/pypi')).toBe(true);
    expect(matches('/pypi/**', '/pypi/a/b/c/')).toBe(true);
    expect(matches('/pypi/**', '/pypix')).toBe(false);
    expect(matches('/**', '/')).toBe(true);
  });

  it('targets file downloads, uploads and pages in both URL forms', () => {
    const pathStyle = '/pypi/d/my-domain-000000000000/main';
    const vhost = '/pypi/main';
    for (const base of [pathStyle, vhost]) {
      expect(matches('/pypi/**/*.whl', `${base}/simple/demo-pkg/1.0.0/demo_pkg-1.0.0-py3-none-any.whl`)).toBe(true);
      expect(matches('/pypi/**/*.whl', `${base}/simple/demo-pkg/1.0.0/demo_pkg-1.0.0-py3-none-any.whl.metadata`)).toBe(false);
      expect(matches('/pypi/**/simple/*/*/*', `${base}/simple/demo-pkg/1.0.0/demo-pkg-1.0.0.tar.gz`)).toBe(true);
      expect(matches('/pypi/**/simple/*/', `${base}/simple/demo-pkg/`)).toBe(true);
      expect(matches('/pypi/**/simple/*/', `${base}/simple/demo-pkg/1.0.0/x.whl`)).toBe(false);
    }
    expect(matches('/pypi/d/*/*/', `${pathStyle}/`)).toBe(true);
    expect(matches('/pypi/d/*/*/', `${vhost}/`)).toBe(false);
  });

  it('literal characters are literal (no regular-expression meaning), case-sensitive', () => {
    expect(matches('/a/b.c', '/a/bxc')).toBe(false);
    expect(matches('/a/(x)+[y]', '/a/(x)+[y]')).toBe(true);
    expect(matches('/A/b', '/a/b')).toBe(false);
    expect(matches('/a/%2B', '/a/%2B')).toBe(true);
    expect(matches('/a/%2B', '/a/+')).toBe(false);
  });

  it('a pathological pattern against a long path answers at once (no backtracking blow-up)', () => {
    const glob = compilePathGlob(`/**/${'*a'.repeat(30)}*b/**/${'*a'.repeat(30)}*b/**`);
    const path = `/${Array.from({ length: 200 }, () => 'a'.repeat(40)).join('/')}`;
    const start = process.hrtime.bigint();
    expect(glob.test(path)).toBe(false);
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(1000);
  });

  it('operation names: * and ?', () => {
    expect(compileNameGlob('List*').test('ListDomains')).toBe(true);
    expect(compileNameGlob('List*').test('DescribeDomain')).toBe(false);
    expect(compileNameGlob('Describe?omain').test('DescribeDomain')).toBe(true);
    expect(compileNameGlob('*').test('X')).toBe(true);
  });
});
