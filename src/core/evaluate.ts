// Evaluation: score model outputs against a dataset, overall and per category (single / parallel / no_call), with a
// verdict and readable reasons per row. Matching is match.ts (shared with the rewards): `exact` or `bfcl`.
//
// Metrics (each a share in [0, 1]; NaN when the subset has nothing to measure, printed "—", JSON null):
//   accuracy          rows fully right: clean output, calls equal the expected multiset (paper 1's "accuracy")
//   name_accuracy     rows whose multiset of called names equals the expected one
//   args_accuracy     per argument: right arguments / (expected arguments + invented ones), over call rows
//   format_valid      rows the codec parsed cleanly (nothing but calls, no parse errors)
//   no_call_accuracy  no_call rows where no call was made (BFCL's irrelevance rule)
//
//   const report = evaluate(rows, (row) => outputs.get(row.id), getCodec('hermes'), 'exact');
//   report.overall.accuracy, report.byCategory.parallel, report.verdicts[0].reasons
import type { Codec, DatasetRow, ExpectedCall, MatchMode, ParseResult, RowCategory, ToolCall } from './types';
import { describeMismatch, expectedParams, matchCalls, namesMatched } from './match';
import { formatOk } from './rewards';
import { rowCategory } from './dataset';

export interface RowVerdict {
  id: string;
  category: RowCategory;
  correct: boolean;
  format_valid: boolean;
  names_correct: boolean;
  /** right arguments and the denominator (expected + invented) for args_accuracy */
  args_right: number;
  args_total: number;
  calls: ToolCall[];
  /** why the row is not correct; empty when it is */
  reasons: string[];
}

export interface EvalMetrics {
  n: number;
  accuracy: number;
  name_accuracy: number;
  args_accuracy: number;
  format_valid: number;
  no_call_accuracy: number;
}

export interface EvalReport {
  match: MatchMode;
  codec: string;
  overall: EvalMetrics;
  byCategory: Record<RowCategory, EvalMetrics>;
  verdicts: RowVerdict[];
  /** ids of rows with no output (scored as empty outputs) */
  missing: string[];
}

/** Judge one parsed output against a row's expected calls. */
export function judgeRow(row: { id: string; expected: readonly ExpectedCall[] }, parsed: ParseResult, mode: MatchMode = 'exact'): RowVerdict {
  const category = rowCategory(row);
  const fmt = formatOk(parsed);
  const reasons: string[] = [...parsed.errors];
  if (!parsed.clean && parsed.errors.length === 0) reasons.push('output is not clean');
  const calls = parsed.calls;
  let argsRight = 0;
  let argsTotal = 0;
  let namesOk: boolean;
  let matchOk: boolean;
  if (row.expected.length === 0) {
    namesOk = calls.length === 0;
    matchOk = namesOk;
    if (!namesOk) reasons.push(`made ${calls.length === 1 ? 'a call' : `${calls.length} calls`} (${calls.map((c) => c.name).join(', ')}) where none was expected`);
  } else {
    const m = matchCalls(row.expected, calls, mode);
    namesOk = calls.length === row.expected.length && namesMatched(row.expected, calls) === row.expected.length;
    matchOk = m.exact;
    for (const p of m.pairs) {
      argsTotal += p.args.total + p.args.extra.length;
      argsRight += p.args.matched.length;
    }
    for (const i of m.unmatchedExpected) argsTotal += expectedParams(row.expected[i]!, mode).params.length;
    if (calls.length === 0 && parsed.errors.length === 0) reasons.push('no call was made');
    else reasons.push(...describeMismatch(row.expected, calls, m));
  }
  return {
    id: row.id, category, correct: fmt && matchOk, format_valid: fmt, names_correct: namesOk,
    args_right: argsRight, args_total: argsTotal, calls, reasons,
  };
}

export function summarise(verdicts: readonly RowVerdict[]): EvalMetrics {
  const n = verdicts.length;
  const share = (k: number, d: number) => (d === 0 ? NaN : k / d);
  let correct = 0, names = 0, fmt = 0, argsR = 0, argsT = 0, noCall = 0, noCallOk = 0;
  for (const v of verdicts) {
    if (v.correct) correct++;
    if (v.names_correct) names++;
    if (v.format_valid) fmt++;
    argsR += v.args_right;
    argsT += v.args_total;
    if (v.category === 'no_call') { noCall++; if (v.calls.length === 0) noCallOk++; }
  }
  return {
    n, accuracy: share(correct, n), name_accuracy: share(names, n), args_accuracy: share(argsR, argsT),
    format_valid: share(fmt, n), no_call_accuracy: share(noCallOk, noCall),
  };
}

/** Score every row's output. `outputOf` returns the raw model text, or undefined when there is none. */
export function evaluate(rows: readonly DatasetRow[], outputOf: (row: DatasetRow) => string | undefined, codec: Codec, mode: MatchMode = 'exact'): EvalReport {
  const verdicts: RowVerdict[] = [];
  const missing: string[] = [];
  for (const row of rows) {
    const text = outputOf(row);
    if (text === undefined) missing.push(row.id);
    const v = judgeRow(row, codec.parse(text ?? ''), mode);
    if (text === undefined) v.reasons.unshift('no prediction for this row');
    verdicts.push(v);
  }
  const cats: RowCategory[] = ['single', 'parallel', 'no_call'];
  const byCategory = Object.fromEntries(cats.map((c) => [c, summarise(verdicts.filter((v) => v.category === c))])) as Record<RowCategory, EvalMetrics>;
  return { match: mode, codec: codec.name, overall: summarise(verdicts), byCategory, verdicts, missing };
}

/**
 * Unbiased pass@k (Chen et al. 2021, "Evaluating Large Language Models Trained on Code"): the chance that at least
 * one of k samples drawn without replacement from n, of which c are correct, is correct:
 *   1 − C(n−c, k) / C(n, k), computed as a running product to stay exact for large n.
 * passAtK(8, 1, 1) = 0.125; passAtK(8, 1, 8) = 1; passAtK(8, 0, 4) = 0.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (![n, c, k].every(Number.isInteger) || n < 0 || c < 0 || c > n || k < 1 || k > n) {
    throw new Error(`passAtK needs integers with 0 ≤ c ≤ n and 1 ≤ k ≤ n; got n=${n}, c=${c}, k=${k}`);
  }
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}
