// Rewards for GRPO: pure functions from (parsed completion, expected calls) to a number, its named parts (logged
// as `rewards/<part>/mean`) and `correct` (fully right: the trainer's hard-row tracking and pass@k count it).
// Matching is src/core/match.ts, shared with the evaluation, so reward 1 ⇔ eval "correct" for slm-paper/binary.
//
//   const parsed = getCodec('hermes').parse(completion);
//   computeReward('slm-paper', { parsed, expected: row.expected })   // { reward, parts, correct }
//
// Rewards:
// - `slm-paper` (default; arXiv 2509.04518, PAPERS.md §1): strict zero gate, then json 0.125 + func 0.375 + args 0.5.
// - `toolrl` (arXiv 2504.13958): format {0,1} + correctness in [-3, 3].
// - `binary` (Nemotron Tool-N1, arXiv 2505.00024): 1 for an exact multiset match, else 0.
// No-call rows (expected []) give full reward only when no call is made, under every reward.
import type { ExpectedCall, MatchMode, ParseResult, RewardName, RewardResult } from './types';
import { argumentShare, expectedParams, acceptable, matchCalls, namesMatched } from './match';

export interface RewardInput { parsed: ParseResult; expected: readonly ExpectedCall[] }
export interface ScoredReward extends RewardResult { correct: boolean }

export const REWARD_NAMES: readonly RewardName[] = ['slm-paper', 'toolrl', 'binary'];

/** Paper 1's weights. json and args are stated in the paper; func = 0.375 is reconstructed so the maximum is 1. */
export interface SlmPaperWeights {
  /** R_json for clean, parseable output (the paper started at 0.5 and lowered it to 0.125 once format was learned) */
  json: number;
  /** R_func weight, shared over the expected calls */
  func: number;
  /** R_args weight, shared over the expected calls ("slightly higher" than names in the paper) */
  args: number;
  /** extra reward for a fully exact answer; 0 in the paper (LEARNING.md suggests it may help tiny models) */
  exactBonus: number;
}
export const SLM_PAPER_WEIGHTS: SlmPaperWeights = { json: 0.125, func: 0.375, args: 0.5, exactBonus: 0 };

export interface ToolRlWeights { format: number; correctness: number }
export const TOOLRL_WEIGHTS: ToolRlWeights = { format: 1, correctness: 1 };

export interface RewardOptions {
  match?: MatchMode;
  slmPaper?: Partial<SlmPaperWeights>;
  toolrl?: Partial<ToolRlWeights>;
}

/** Format gate shared by all rewards: the codec parsed everything and nothing else was written. */
export function formatOk(parsed: ParseResult): boolean {
  return parsed.clean && parsed.errors.length === 0;
}

/** Fully right: clean output whose calls equal the expected multiset (no calls for a no-call row). */
export function isCorrect(parsed: ParseResult, expected: readonly ExpectedCall[], mode: MatchMode = 'exact'): boolean {
  if (!formatOk(parsed)) return false;
  if (expected.length === 0) return parsed.calls.length === 0;
  return matchCalls(expected, parsed.calls, mode).exact;
}

/**
 * Paper 1's capability-aware reward.
 *   gate: 0 when the output is unclean (empty, unparseable, text around the calls) or a call row got no call
 *   (even a valid-JSON `[]`: giving it the json credit would pay "never call" on every row);
 *   R = json + func·names/n_exp + args/n_exp·Σ A_i, A_i = argument share of correctly named call i;
 *   more calls than expected scales func and args by n_exp / n_pred.
 * Example: expected get_weather(city=Paris, unit=celsius), predicted get_weather(city=Paris, unit=kelvin), clean
 *   → 0.125 + 0.375 + 0.5·(1/2) = 0.75.
 */
export function slmPaperReward(input: RewardInput, opts: RewardOptions = {}): ScoredReward {
  const w = { ...SLM_PAPER_WEIGHTS, ...opts.slmPaper };
  const mode = opts.match ?? 'exact';
  const { parsed, expected } = input;
  const zero = { json: 0, func: 0, args: 0 };
  if (!formatOk(parsed)) return { reward: 0, parts: zero, correct: false };
  if (expected.length === 0) {
    // No-call row: the whole reward for not calling; only the format credit for calling anyway.
    if (parsed.calls.length === 0) return finish({ json: w.json, func: w.func, args: w.args }, true, w);
    return { reward: w.json, parts: { json: w.json, func: 0, args: 0 }, correct: false };
  }
  if (parsed.calls.length === 0) return { reward: 0, parts: zero, correct: false };
  const m = matchCalls(expected, parsed.calls, mode);
  const nExp = expected.length;
  const nPred = parsed.calls.length;
  const scale = nPred > nExp ? nExp / nPred : 1;
  const func = scale * w.func * namesMatched(expected, parsed.calls) / nExp;
  const args = scale * (w.args / nExp) * m.pairs.reduce((s, p) => s + argumentShare(p.args), 0);
  return finish({ json: w.json, func, args }, m.exact, w);
}

function finish(parts: Record<string, number>, correct: boolean, w: SlmPaperWeights): ScoredReward {
  if (w.exactBonus) parts.exact_bonus = correct ? w.exactBonus : 0;
  const reward = Object.values(parts).reduce((a, b) => a + b, 0);
  return { reward, parts, correct };
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/**
 * ToolRL's reward: format ∈ {0, 1} + correctness ∈ [-3, 3], where
 *   correctness = 6 · (r_name + r_param + r_value) / (1 + |G| + Σ_g |keys g|) − 3,
 *   r_name = Jaccard of the call-name sets, r_param = Σ over paired calls of the Jaccard of their parameter names,
 *   r_value = Σ over paired calls of the number of expected parameters with an acceptable value.
 * Optional parameters left out are not counted either way. No-call row: correctness 3 with no calls, else −3.
 * Example: expected f(a=1, b=2), predicted f(a=1, b=3), clean → 1 + 6·(1 + 1 + 1)/(1 + 1 + 2) − 3 = 2.5.
 */
export function toolrlReward(input: RewardInput, opts: RewardOptions = {}): ScoredReward {
  const w = { ...TOOLRL_WEIGHTS, ...opts.toolrl };
  const mode = opts.match ?? 'exact';
  const { parsed, expected } = input;
  const format = formatOk(parsed) ? 1 : 0;
  let correctness: number;
  if (expected.length === 0) correctness = parsed.calls.length === 0 ? 3 : -3;
  else {
    const m = matchCalls(expected, parsed.calls, mode);
    const rName = jaccard(new Set(expected.map((c) => c.name)), new Set(parsed.calls.map((c) => c.name)));
    let rParam = 0;
    let rValue = 0;
    let maxValue = 0;
    const paired = new Set<number>();
    for (const p of m.pairs) {
      paired.add(p.expected);
      const exp = expected[p.expected]!;
      const got = parsed.calls[p.predicted]!.arguments;
      const { params, optional } = expectedParams(exp, mode);
      const keys = params.filter((k) => !(optional.has(k) && !(k in got)));
      rParam += jaccard(new Set(keys), new Set(Object.keys(got)));
      for (const k of keys) if (k in got && acceptable(exp, k, got[k]!, mode)) rValue++;
      maxValue += keys.length;
    }
    expected.forEach((e, i) => { if (!paired.has(i)) maxValue += expectedParams(e, mode).params.length; });
    const rMax = 1 + expected.length + maxValue;
    correctness = 6 * (rName + rParam + rValue) / rMax - 3;
  }
  const parts = { format: w.format * format, correctness: w.correctness * correctness };
  return { reward: parts.format + parts.correctness, parts, correct: isCorrect(parsed, expected, mode) };
}

/**
 * Tool-N1's binary reward: 1 when the output is clean and its calls equal the expected multiset, else 0.
 * Example: expected [f(a=1), g()], predicted [g(), f(a=1)] → 1 (order free); predicted [f(a=1)] → 0.
 */
export function binaryReward(input: RewardInput, opts: RewardOptions = {}): ScoredReward {
  const correct = isCorrect(input.parsed, input.expected, opts.match ?? 'exact');
  return { reward: correct ? 1 : 0, parts: { exact: correct ? 1 : 0 }, correct };
}

export function computeReward(name: RewardName, input: RewardInput, opts: RewardOptions = {}): ScoredReward {
  switch (name) {
    case 'slm-paper': return slmPaperReward(input, opts);
    case 'toolrl': return toolrlReward(input, opts);
    case 'binary': return binaryReward(input, opts);
    default: throw new Error(`unknown reward "${String(name)}"; use one of: ${REWARD_NAMES.join(', ')}`);
  }
}
