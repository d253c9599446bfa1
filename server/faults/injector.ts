// Decides, for each request, whether a fault rule hits it. Rules are tried in order; the first that hits wins
// and the rules after it do not see that request. Each rule counts the requests it matched and draws from
// its own seeded generator, so what it hits depends only on the seed, its position and the order in which
// matching requests arrive, never on the clock or on the other rules' luck.
import type { FaultLog } from './log.js';
import { mulberry32, ruleSeed, type Prng } from './prng.js';
import type { FaultRule } from './rules.js';

export const DEFAULT_FAULT_SEED = 1;

export interface FaultSettings {
  seed: number;
  rules: readonly FaultRule[];
}

/** What to do to one request. */
export interface Injection {
  /** 1-based number of the rule. */
  rule: number;
  spec: string;
  error?: string;
  status?: number;
  retryAfter?: number;
  latencyMs: number;
  /** The text the client sees. */
  message: string;
}

/** How many of the matched requests a rule remembers having hit, for GET /_local/faults. */
const REMEMBERED_HITS = 1000;

interface RuleState {
  rule: FaultRule;
  random: Prng;
  matched: number;
  injected: number;
  injectedOn: number[];
}

export interface RuleView extends Record<string, unknown> {
  rule: number;
  spec: string;
  /** Requests this rule matched (that an earlier rule had not already hit). */
  matched: number;
  injected: number;
  /** Which matched requests were hit (1-based ordinals), the last 1000. */
  injectedOn: number[];
}

export interface FaultsView {
  seed: number;
  rules: RuleView[];
}

function describeEffect(i: Injection): string {
  const retry = i.retryAfter !== undefined ? ` (Retry-After ${i.retryAfter} s)` : '';
  const parts: string[] = [];
  if (i.error) parts.push(`${i.error}${retry}`);
  if (i.status) parts.push(`${i.status}${retry}`);
  if (i.latencyMs) parts.push(`latency ${i.latencyMs} ms`);
  return parts.join(', ');
}

export class FaultInjector {
  private seed = DEFAULT_FAULT_SEED;
  private states: RuleState[] = [];

  constructor(
    settings: FaultSettings,
    private readonly log: FaultLog,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.replace(settings);
  }

  /** New rules (and optionally a new seed); every counter and generator starts again. */
  replace(settings: { seed?: number; rules: readonly FaultRule[] }): void {
    if (settings.seed !== undefined) this.seed = settings.seed;
    this.states = settings.rules.map((rule, index) => ({
      rule,
      random: mulberry32(rule.seed ?? ruleSeed(this.seed, index)),
      matched: 0,
      injected: 0,
      injectedOn: [],
    }));
  }

  clear(): void {
    this.replace({ rules: [] });
  }

  get active(): boolean {
    return this.states.length > 0;
  }

  /** A control-plane request whose operation is known. */
  forOperation(name: string, requestId: string): Injection | undefined {
    return this.decide((t) => t.kind === 'operation' && t.operations.has(name), name, requestId);
  }

  /** A request outside the control plane: its method and its path as the client sent it. */
  forRoute(method: string, path: string, requestId: string): Injection | undefined {
    return this.decide(
      (t) => t.kind === 'route' && (t.methods === '*' || t.methods.has(method)) && t.path.test(path),
      `${method} ${path}`,
      requestId,
    );
  }

  private decide(matches: (target: FaultRule['target']) => boolean, target: string, requestId: string): Injection | undefined {
    for (const [index, state] of this.states.entries()) {
      const { rule } = state;
      if (!matches(rule.target)) continue;
      const match = ++state.matched;
      if (rule.count !== undefined && state.injected >= rule.count) continue;
      const hit = rule.every !== undefined ? match % rule.every === 0 : rule.prob !== undefined ? state.random() < rule.prob : true;
      if (!hit) continue;
      state.injected++;
      state.injectedOn.push(match);
      if (state.injectedOn.length > REMEMBERED_HITS) state.injectedOn.shift();
      const injection: Injection = {
        rule: index + 1,
        spec: rule.spec,
        error: rule.error,
        status: rule.status,
        retryAfter: rule.retryAfter,
        latencyMs: rule.latencyMs,
        message: `Injected fault (rule ${index + 1}: ${rule.spec})`,
      };
      this.log({
        time: this.now().toISOString(),
        msg: 'fault injected',
        rule: index + 1,
        spec: rule.spec,
        match,
        target,
        effect: describeEffect(injection),
        requestId,
      });
      return injection;
    }
    return undefined;
  }

  view(): FaultsView {
    return {
      seed: this.seed,
      rules: this.states.map((s, index) => ({
        rule: index + 1,
        spec: s.rule.spec,
        ...s.rule.members,
        matched: s.matched,
        injected: s.injected,
        injectedOn: [...s.injectedOn],
      })),
    };
  }
}
