// /_local/faults, the rules at run time:
//   GET     {"seed": 1, "rules": [{"rule": 1, "spec": "...", "op": ..., "matched": 4, "injected": 2, "injectedOn": [2, 4]}]}
//   PUT     {"seed"?: N, "rules": ["op=ListDomains,error=ThrottlingException,every=2", {"route": "GET /pypi/**", "status": 503}]}
//           replaces every rule (counters start again; without "seed" the current one stays); answers as GET
//   DELETE  no rules (the seed stays); answers as GET
// Anything wrong with a PUT is a 400 naming what to fix; nothing a client sends here is answered 5xx.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { FaultInjector } from './injector.js';
import { FaultSpecError, MAX_RULES, faultRuleFromJson, type FaultRule } from './rules.js';

const PATH = '/_local/faults';
const MAX_BODY = '1mb';

function reject(res: Response, status: number, message: string) {
  res.status(status).set('Cache-Control', 'no-store').json({ message });
}

/** The PUT body: {"rules": [...], "seed"?: N}. */
export function settingsFromJson(body: unknown): { seed?: number; rules: FaultRule[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new FaultSpecError('the body is a JSON object: {"rules": [...], "seed": N}');
  const { rules, seed, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new FaultSpecError(`unknown member '${unknown[0]}' (members: rules, seed)`);
  if (!Array.isArray(rules)) throw new FaultSpecError('"rules" is an array of rules (strings in the --fault syntax or objects); [] for none');
  if (rules.length > MAX_RULES) throw new FaultSpecError(`at most ${MAX_RULES} rules`);
  if (seed !== undefined && !(Number.isInteger(seed) && (seed as number) >= 0 && (seed as number) <= 2 ** 32 - 1))
    throw new FaultSpecError('"seed" is a whole number from 0 to 4294967295');
  return {
    seed: seed as number | undefined,
    rules: rules.map((rule, i) => {
      try {
        return faultRuleFromJson(rule);
      } catch (err) {
        if (err instanceof FaultSpecError) throw new FaultSpecError(`rules[${i}]: ${err.message}`);
        throw err;
      }
    }),
  };
}

export function faultRoutes(injector: FaultInjector): Router {
  const router = Router({ caseSensitive: true, strict: true });
  const show = (res: Response) => res.set('Cache-Control', 'no-store').json(injector.view());

  router.get(PATH, (_req, res) => show(res));
  router.put(PATH, express.text({ type: () => true, limit: MAX_BODY }), (req: Request, res: Response) => {
    const text = typeof req.body === 'string' ? req.body : '';
    if (!text.trim()) return reject(res, 400, 'PUT takes a JSON body: {"rules": [...], "seed": N}');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      return reject(res, 400, `the body is not JSON: ${err instanceof SyntaxError ? err.message : 'too deeply nested'}`);
    }
    try {
      injector.replace(settingsFromJson(body));
    } catch (err) {
      if (err instanceof FaultSpecError) return reject(res, 400, err.message);
      throw err;
    }
    show(res);
  });
  router.delete(PATH, (_req, res) => {
    injector.clear();
    show(res);
  });
  router.all(PATH, (req, res) => {
    res.set('Allow', 'GET, PUT, DELETE');
    reject(res, 405, `${req.method} is not allowed on ${PATH} (GET shows the rules, PUT replaces them, DELETE clears them)`);
  });
  // The body reader's refusals (too large, a charset it cannot decode, a cut-off body) stay 4xx, with a reason.
  router.use(PATH, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
    reject(res, status, status === 413 ? `the body is larger than ${MAX_BODY}` : `cannot read the body: ${(err as Error).message}`);
  });
  return router;
}
