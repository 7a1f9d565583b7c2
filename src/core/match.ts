// Matching predicted tool calls against expected ones: the single definition of "right" shared by every reward,
// the evaluation and the rollout diffs, so a reward of 1 and an eval verdict of "correct" can never disagree.
//
// Rules (ARCHITECTURE.md "Dataset row", PAPERS.md §3):
// - calls match as a multiset: order is free, each expected call pairs with at most one predicted call of the same
//   name;
// - an expected call's parameters are the keys of `arguments` and `accept`; a value is right when it equals the
//   `arguments` value or any `accept[p]` entry; `optional` parameters may be left out; any other parameter the
//   prediction adds is wrong;
// - numbers compare by value (5 == 5.0), objects deep-equal with key order free, arrays in order, strings exactly;
// - `bfcl` mode compares strings after BFCL's normalisation (drop spaces and , . / - _ * ^, lower-case, ' → ") and
//   treats a parameter whose acceptable values include "" as optional (BFCL's AST checker).
//
//   matchCalls(expected, predicted, 'exact') → { pairs, unmatchedExpected, unmatchedPredicted, exact }
import type { ExpectedCall, Json, MatchMode, ToolCall } from './types';

/** BFCL's string standardisation (PAPERS.md §3). */
export function bfclNormalise(s: string): string {
  return s.replace(/[ ,./\-_*^]/g, '').toLowerCase().replace(/'/g, '"');
}

/** Deep equality with numbers by value; in `bfcl` mode strings are normalised first. */
export function valuesEqual(expected: Json | undefined, actual: Json | undefined, mode: MatchMode = 'exact'): boolean {
  if (expected === actual) return true;
  if (expected === null || actual === null || expected === undefined || actual === undefined) return false;
  if (typeof expected === 'number' && typeof actual === 'number') return expected === actual || (Number.isNaN(expected) && Number.isNaN(actual));
  if (typeof expected === 'string' && typeof actual === 'string') return mode === 'bfcl' && bfclNormalise(expected) === bfclNormalise(actual);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return false;
    for (let i = 0; i < expected.length; i++) if (!valuesEqual(expected[i], actual[i], mode)) return false;
    return true;
  }
  if (typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(actual)) {
    const ek = Object.keys(expected);
    if (ek.length !== Object.keys(actual).length) return false;
    for (const k of ek) if (!Object.prototype.hasOwnProperty.call(actual, k) || !valuesEqual(expected[k], actual[k], mode)) return false;
    return true;
  }
  return false;
}

export interface ArgMismatch { param: string; expected: Json[]; got: Json }

/** How a predicted call's arguments compare with an expected call's. */
export interface ArgComparison {
  /** expected parameters that are right (including optional ones correctly left out) */
  matched: string[];
  mismatched: ArgMismatch[];
  /** expected, non-optional parameters the prediction left out */
  missing: string[];
  /** parameters the prediction added that the expected call does not have */
  extra: string[];
  /** number of expected parameters */
  total: number;
  /** true when nothing is wrong */
  exact: boolean;
}

/** The parameters an expected call names, and which may be left out. */
export function expectedParams(exp: ExpectedCall, mode: MatchMode = 'exact'): { params: string[]; optional: Set<string> } {
  const params = Object.keys(exp.arguments ?? {});
  if (exp.accept) for (const k of Object.keys(exp.accept)) if (!params.includes(k)) params.push(k);
  const optional = new Set(exp.optional ?? []);
  if (mode === 'bfcl' && exp.accept) for (const [k, vals] of Object.entries(exp.accept)) if (vals.some((v) => v === '')) optional.add(k);
  return { params, optional };
}

/** Is `value` an acceptable value of parameter `param` of the expected call? */
export function acceptable(exp: ExpectedCall, param: string, value: Json, mode: MatchMode = 'exact'): boolean {
  const args = exp.arguments ?? {};
  if (Object.prototype.hasOwnProperty.call(args, param) && valuesEqual(args[param], value, mode)) return true;
  const alts = exp.accept?.[param];
  if (alts) for (const a of alts) if (valuesEqual(a, value, mode)) return true;
  return false;
}

export function compareArguments(exp: ExpectedCall, got: ToolCall, mode: MatchMode = 'exact'): ArgComparison {
  const { params, optional } = expectedParams(exp, mode);
  const actual = got.arguments ?? {};
  const matched: string[] = [];
  const mismatched: ArgMismatch[] = [];
  const missing: string[] = [];
  for (const p of params) {
    if (!Object.prototype.hasOwnProperty.call(actual, p)) {
      if (optional.has(p)) matched.push(p); else missing.push(p);
      continue;
    }
    if (acceptable(exp, p, actual[p] as Json, mode)) matched.push(p);
    else {
      const want: Json[] = [];
      if (exp.arguments && Object.prototype.hasOwnProperty.call(exp.arguments, p)) want.push(exp.arguments[p] as Json);
      for (const a of exp.accept?.[p] ?? []) if (!want.some((w) => valuesEqual(w, a))) want.push(a);
      mismatched.push({ param: p, expected: want, got: actual[p] as Json });
    }
  }
  const extra = Object.keys(actual).filter((k) => !params.includes(k));
  return { matched, mismatched, missing, extra, total: params.length, exact: !mismatched.length && !missing.length && !extra.length };
}

/** Share of a call's arguments that are right: matched / (expected parameters + invented ones). A call with no
 *  parameters expected and none given scores 1. Inventing arguments lowers the share (paper 1 names invented
 *  arguments as the failure its strict reward was designed against). */
export function argumentShare(c: ArgComparison): number {
  const denom = c.total + c.extra.length;
  return denom === 0 ? 1 : c.matched.length / denom;
}

export interface CallPair { expected: number; predicted: number; args: ArgComparison }
export interface CallMatching {
  /** same-name pairs, chosen to maximise exact pairs first, then the argument share */
  pairs: CallPair[];
  unmatchedExpected: number[];
  unmatchedPredicted: number[];
  /** every expected call paired exactly and nothing extra predicted */
  exact: boolean;
}

// Exhaustive assignment over subsets is exact and cheap for the handful of calls a row has; above this many
// predicted calls (a degenerate output), a greedy pass is used instead.
const MAX_EXACT_ASSIGNMENT = 10;

export function matchCalls(expected: readonly ExpectedCall[], predicted: readonly ToolCall[], mode: MatchMode = 'exact'): CallMatching {
  const cmp: (ArgComparison | undefined)[][] = expected.map((e) => predicted.map((p) => (p.name === e.name ? compareArguments(e, p, mode) : undefined)));
  const score = (c: ArgComparison | undefined) => (c ? 1 + (c.exact ? 1000 : 0) + argumentShare(c) : 0);
  const assign: number[] = expected.map(() => -1);
  if (predicted.length <= MAX_EXACT_ASSIGNMENT) {
    // best[i][mask]: best total score for expected[i..] given predicted calls in `mask` are taken.
    const memo = new Map<number, { s: number; pick: number }>();
    const best = (i: number, mask: number): number => {
      if (i === expected.length) return 0;
      const key = i * 2048 + mask;
      const hit = memo.get(key);
      if (hit) return hit.s;
      let s = best(i + 1, mask);
      let pick = -1;
      for (let j = 0; j < predicted.length; j++) {
        if (mask & (1 << j) || !cmp[i]![j]) continue;
        const v = score(cmp[i]![j]) + best(i + 1, mask | (1 << j));
        if (v > s) { s = v; pick = j; }
      }
      memo.set(key, { s, pick });
      return s;
    };
    best(0, 0);
    let mask = 0;
    for (let i = 0; i < expected.length; i++) {
      const pick = memo.get(i * 2048 + mask)?.pick ?? -1;
      assign[i] = pick;
      if (pick >= 0) mask |= 1 << pick;
    }
  } else {
    const taken = new Set<number>();
    expected.forEach((_, i) => {
      let bestJ = -1;
      let bestS = 0;
      predicted.forEach((__, j) => {
        const s = taken.has(j) ? 0 : score(cmp[i]![j]);
        if (s > bestS) { bestS = s; bestJ = j; }
      });
      if (bestJ >= 0) { taken.add(bestJ); assign[i] = bestJ; }
    });
  }
  const pairs: CallPair[] = [];
  const used = new Set<number>();
  const unmatchedExpected: number[] = [];
  assign.forEach((j, i) => {
    if (j < 0) unmatchedExpected.push(i);
    else { pairs.push({ expected: i, predicted: j, args: cmp[i]![j]! }); used.add(j); }
  });
  const unmatchedPredicted = predicted.map((_, j) => j).filter((j) => !used.has(j));
  const exact = unmatchedExpected.length === 0 && unmatchedPredicted.length === 0 && pairs.every((p) => p.args.exact);
  return { pairs, unmatchedExpected, unmatchedPredicted, exact };
}

/** Size of the multiset intersection of call names. */
export function namesMatched(expected: readonly ToolCall[], predicted: readonly ToolCall[]): number {
  const counts = new Map<string, number>();
  for (const p of predicted) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
  let n = 0;
  for (const e of expected) {
    const c = counts.get(e.name) ?? 0;
    if (c > 0) { n++; counts.set(e.name, c - 1); }
  }
  return n;
}

/** Readable reasons why a prediction is not exactly right (empty when it is). */
export function describeMismatch(expected: readonly ExpectedCall[], predicted: readonly ToolCall[], m: CallMatching): string[] {
  const out: string[] = [];
  for (const i of m.unmatchedExpected) out.push(`missing call ${expected[i]!.name}`);
  for (const j of m.unmatchedPredicted) out.push(`unexpected call ${predicted[j]!.name}`);
  for (const p of m.pairs) {
    const name = expected[p.expected]!.name;
    for (const a of p.args.missing) out.push(`${name}: missing argument ${a}`);
    for (const a of p.args.extra) out.push(`${name}: unexpected argument ${a}`);
    for (const mm of p.args.mismatched) {
      out.push(`${name}: argument ${mm.param} is ${JSON.stringify(mm.got)}, expected ${mm.expected.map((v) => JSON.stringify(v)).join(' or ')}`);
    }
  }
  return out;
}
