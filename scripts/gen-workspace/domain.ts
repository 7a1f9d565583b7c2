// The shape of a synthetic tool-calling domain, the seeded PRNG, and the row builder shared by every domain.
// A domain lists its tools, intents (one per way of asking for a call) and no-call requests; `buildRows` mixes
// single-call, two-call and no-call rows with unique request texts, so train and eval can be split without overlap.
import type { ExpectedCall, Json, ToolDef } from '../../src/core/types';
import { Rng as SeededRng } from '../../src/train/rng';

/** Data-generation helpers over the trainer's seeded mulberry32 stream (src/train/rng.ts): the same numbers, so the
 *  committed files stay reproducible, plus the inclusive ranges and picks the domains use. */
export class Rng {
  private readonly stream: SeededRng;
  constructor(seed: number) { this.stream = new SeededRng(seed); }
  next(): number { return this.stream.next(); }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
  /** In-place Fisher–Yates (the trainer's shuffle copies; the generator shuffles its own arrays). */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) { const j = Math.floor(this.next() * (i + 1)); [xs[i], xs[j]] = [xs[j]!, xs[i]!]; }
    return xs;
  }
}

/** One request for one call: a standalone sentence and an imperative clause to join with another. */
export interface Ask {
  single: string;
  clause: string;
  call: ExpectedCall;
}

export interface Domain {
  name: string;
  tools: ToolDef[];
  /** each intent builds one Ask from random values */
  intents: Array<(r: Rng) => Ask>;
  /** a request no tool fits */
  noCall: (r: Rng) => string;
  /** ways to join two clauses into one request */
  joins: Array<(a: string, b: string) => string>;
}

export function fn(name: string, description: string, properties: Record<string, Json>, required: string[]): ToolDef {
  return { type: 'function', function: { name, description, parameters: { type: 'object', properties, required } } };
}

export function cap(s: string): string { return s.charAt(0).toUpperCase() + s.slice(1); }

export interface Row { id: string; messages: Array<{ role: 'user'; content: string }>; expected: ExpectedCall[] }

export interface Mix { rows: number; parallel: number; noCall: number }

/** Unique-request rows in the given mix. `taken` holds requests already used (by the other split). */
export function buildRows(d: Domain, r: Rng, mix: Mix, idPrefix: string, taken: { has(s: string): boolean; add(s: string): unknown }): Row[] {
  const rows: Row[] = [];
  const target = { no_call: Math.round(mix.rows * mix.noCall), parallel: Math.round(mix.rows * mix.parallel) };
  const kinds: Array<'single' | 'parallel' | 'no_call'> = [];
  for (let i = 0; i < mix.rows; i++) kinds.push(i < target.no_call ? 'no_call' : i < target.no_call + target.parallel ? 'parallel' : 'single');
  r.shuffle(kinds);
  for (const kind of kinds) {
    for (let attempt = 0; attempt < 500; attempt++) {
      let text: string;
      let expected: ExpectedCall[];
      if (kind === 'no_call') { text = d.noCall(r); expected = []; }
      else if (kind === 'single') { const a = r.pick(d.intents)(r); text = a.single; expected = [a.call]; }
      else {
        const i = r.int(0, d.intents.length - 1);
        let j = r.int(0, d.intents.length - 2);
        if (j >= i) j++;
        const a = d.intents[i]!(r);
        const b = d.intents[j]!(r);
        text = r.pick(d.joins)(a.clause, b.clause);
        expected = [a.call, b.call];
      }
      if (taken.has(text)) continue;
      taken.add(text);
      rows.push({ id: `${idPrefix}-${String(rows.length + 1).padStart(4, '0')}`, messages: [{ role: 'user', content: text }], expected });
      break;
    }
  }
  return rows;
}
