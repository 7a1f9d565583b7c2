import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCodec } from '../../../src/core/codecs';
import type { DatasetRow } from '../../../src/core/types';
import { aggregate, describeLearnability, evalSummary, evaluate, learnability, type PassRow } from '../../../src/train/evaluation';
import type { EngineClient } from '../../../src/engine/client';
import type { Policy } from '../../../src/train/policy';
import { resolveConfig } from '../../../src/train/config';
import type { Scored } from '../../../src/train/policy';
import { stepSeed } from '../../../src/train/step';
import { holdOut } from '../../../src/train/inputs';

const hermes = getCodec('hermes');
const row = (id: string, expected: DatasetRow['expected']): DatasetRow => ({ id, tools: [], messages: [{ role: 'user', content: id }], expected });
const scored = (text: string): Scored => {
  const parsed = hermes.parse(text);
  return { text, parsed, reward: 0, parts: {}, correct: false, formatValid: parsed.clean };
};

test('eval aggregate: accuracy, format, names, arguments and no-call, per category', () => {
  const rows = [
    row('a', [{ name: 'w', arguments: { city: 'Paris', unit: 'C' } }]),
    row('b', [{ name: 'w', arguments: { city: 'Rome', unit: 'C' } }]),
    row('c', []),
    row('d', [{ name: 't', arguments: { m: 1 } }, { name: 'w', arguments: { city: 'Oslo', unit: 'F' } }]),
  ];
  const call = (name: string, args: object) => `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`;
  const s = aggregate(rows, [
    scored(call('w', { city: 'Paris', unit: 'C' })), // right
    scored(call('w', { city: 'Paris', unit: 'C' })), // right name, 1 of 2 arguments
    scored('No tool is needed.'),                       // right no-call
    scored('garbage <tool_call> {'),                    // unparseable
  ]);
  assert.equal(s.n, 4);
  assert.equal(s['eval/accuracy'], 0.5);
  assert.equal(s['eval/format_valid'], 0.75);
  assert.equal(s['eval/name_accuracy'], 0.75); // a, b, and the no-call row (no calls made)
  assert.equal(s['eval/no_call_accuracy'], 1);
  assert.equal(s['eval/single/accuracy'], 0.5);
  assert.equal(s['eval/parallel/accuracy'], 0);
  assert.equal(s['eval/args_accuracy'], 3 / 7); // 2 + 1 right of 2 + 2 + 3 expected
  assert.equal(s['eval/call_accuracy'], 1 / 3);  // a of the call rows a, b, d: the right no-call row c does not count
});

test('call-row accuracy is NaN without call rows, and counts a never-calling policy as 0 on call rows', () => {
  const never = aggregate([row('a', [{ name: 'w', arguments: {} }]), row('c', [])], [scored('No tool is needed.'), scored('No tool is needed.')]);
  assert.equal(never['eval/accuracy'], 0.5);      // looks like half right…
  assert.equal(never['eval/call_accuracy'], 0);   // …but no call row is
  assert.ok(Number.isNaN(aggregate([row('c', [])], [scored('No tool is needed.')])['eval/call_accuracy']));
});

test('learnability: rows GRPO can move, the pass@k − greedy gap, call rows apart', () => {
  const r = (call: boolean, greedy: boolean, correct: number): PassRow => ({ call, greedy, correct });
  const cases: Array<[string, PassRow[], number, { pass_at_k: number; learnable_rows: number; pass_gap: number; call_pass_at_k: number }]> = [
    // the doc comment's example: one learnable row, pass@8 3/4 against greedy 2/4, 2 of 3 call rows reachable
    ['mixed', [r(true, false, 3), r(true, true, 8), r(false, true, 8), r(true, false, 0)], 8, { pass_at_k: 0.75, learnable_rows: 0.25, pass_gap: 0.25, call_pass_at_k: 2 / 3 }],
    // all samples right or all wrong: no reward spread anywhere, nothing for GRPO to learn
    ['saturated', [r(true, true, 8), r(true, false, 0)], 8, { pass_at_k: 0.5, learnable_rows: 0, pass_gap: 0, call_pass_at_k: 0.5 }],
    // a start that only gets no-call rows right: its call-row pass@k is 0 (the gate's case)
    ['never calls', [r(false, true, 8), r(false, true, 7), r(true, false, 0), r(true, false, 0)], 8, { pass_at_k: 0.5, learnable_rows: 0.25, pass_gap: 0, call_pass_at_k: 0 }],
    // greedy wrong where sampling finds it: the gap is what sharpening can win
    ['gap', [r(true, false, 1), r(true, false, 7)], 8, { pass_at_k: 1, learnable_rows: 1, pass_gap: 1, call_pass_at_k: 1 }],
    // k = 2: only 1 of 2 is learnable
    ['k 2', [r(true, false, 1), r(true, true, 2)], 2, { pass_at_k: 1, learnable_rows: 0.5, pass_gap: 0.5, call_pass_at_k: 1 }],
  ];
  for (const [name, rows, k, want] of cases) {
    const got = learnability(rows, k);
    for (const key of Object.keys(want) as Array<keyof typeof want>) assert.ok(Math.abs(got[key] - want[key]) < 1e-12, `${name}: ${key} ${got[key]} ≠ ${want[key]}`);
  }
  const noCallOnly = learnability([r(false, true, 8)], 8);
  assert.ok(Number.isNaN(noCallOnly.call_pass_at_k)); // no call rows: nothing to measure, not 0
  assert.ok(Number.isNaN(learnability([], 8).pass_at_k));
});

test('eval summary: pass@k under its k, the standard error of accuracy, NaN as null; one readable line', () => {
  const s = evalSummary({ n: 250, 'eval/accuracy': 0.3, 'eval/format_valid': 0.98, 'eval/name_accuracy': 0.9, 'eval/args_accuracy': 0.6,
    'eval/no_call_accuracy': NaN, 'eval/call_accuracy': 0.25, 'eval/pass_at_k': 0.5, 'eval/call_pass_at_k': 0.45, 'eval/learnable_rows': 0.4,
    'eval/pass_gap': 0.2, k: 8, pass_at_k_n: 250 });
  assert.equal(s.pass_at_8, 0.5);
  assert.equal(s.call_pass_at_8, 0.45);
  assert.equal(s.no_call_accuracy, null);
  assert.ok(Math.abs(s.accuracy_se! - Math.sqrt(0.3 * 0.7 / 250)) < 1e-12);
  assert.deepEqual([s.learnable_rows, s.pass_gap, s.n, s.k], [0.4, 0.2, 250, 8]);
  assert.ok(!('pass_at_8' in evalSummary({ n: 4, 'eval/accuracy': 0.5 }))); // greedy only: no pass@k keys
  assert.equal(describeLearnability({ n: 4, 'eval/accuracy': 0.5 }), undefined);
  assert.equal(describeLearnability({ k: 8, 'eval/learnable_rows': 0.4, 'eval/pass_gap': 0.2, 'eval/call_pass_at_k': 0.45, 'eval/call_accuracy': 0.25 }),
    'learnability: 40.0% of rows have 1–7 of 8 samples right; pass@8 − greedy +20.0 points; call rows: pass@8 45.0%, greedy 25.0%');
});

test('evaluate keeps each row\'s count of right samples and scores greedy and samples with one judge', async () => {
  // A scripted engine: token id i decodes to TEXTS[i]; greedy answers and each row's k samples are fixed per row.
  const call = (city: string) => `<tool_call>\n${JSON.stringify({ name: 'w', arguments: { city } })}\n</tool_call>`;
  const TEXTS = [call('Paris'), call('Rome'), 'No tool is needed.'];
  const rows = [row('a', [{ name: 'w', arguments: { city: 'Paris' } }]), row('b', [{ name: 'w', arguments: { city: 'Rome' } }]), row('c', [])];
  const greedyIds: Record<string, number> = { a: 1, b: 1, c: 2 };                 // a wrong, b right, c right
  const sampleIds: Record<string, number[]> = { a: [0, 1, 1, 0], b: [1, 1, 1, 1], c: [0, 0, 0, 0] };
  const requests: Array<{ n: number; temperature?: number }> = [];
  const engine = { request: async (_m: string, p: { prompts: number[][]; n: number; temperature?: number }) => {
    requests.push({ n: p.n, temperature: p.temperature });
    const ids = p.prompts.map((q) => rows[q[0]!]!.id);
    return { completions: ids.flatMap((id) => (p.n === 1 ? [greedyIds[id]!] : sampleIds[id]!).map((t) => ({ ids: [t] }))) };
  } } as unknown as EngineClient;
  const cfg = resolveConfig({ max_completion_length: 8 });
  const policy = {
    cfg, stopIds: [99], prompt: (r: DatasetRow) => ({ ids: [rows.findIndex((x) => x.id === r.id)] }), decode: (ids: number[]) => TEXTS[ids[0]!]!,
    score: (_r: DatasetRow, text: string) => scored(text),
  } as unknown as Policy;
  const out = await evaluate(engine, policy, rows, { passAtK: 4, passAtKTemperature: 0.7 });
  assert.deepEqual(out.answers.map((a) => [a.row_id, a.correct, a.samples_correct]), [['a', false, 2], ['b', true, 4], ['c', true, 0]]);
  assert.deepEqual(requests, [{ n: 1, temperature: 0 }, { n: 4, temperature: 0.7 }]);
  const s = out.scores;
  assert.equal(s['eval/accuracy'], 2 / 3);
  assert.equal(s['eval/pass_at_k'], 2 / 3);             // a and b have a right sample; c's samples all call
  assert.equal(s['eval/learnable_rows'], 1 / 3);        // only a (2 of 4)
  assert.equal(s['eval/pass_gap'], 0);                  // a gained, c lost
  assert.equal(s['eval/call_pass_at_k'], 1);
  assert.equal(s['eval/call_accuracy'], 1 / 2);
  assert.deepEqual([s.k, s.pass_at_k_n], [4, 3]);
});

test('sampling seeds depend only on the run seed and the step (resume samples the same)', () => {
  assert.equal(stepSeed(0, 5), stepSeed(0, 5));
  assert.notEqual(stepSeed(0, 5), stepSeed(0, 6));
  assert.notEqual(stepSeed(1, 5), stepSeed(0, 5));
  for (const s of [0, 1, 99999]) assert.ok(stepSeed(s, 123456) >= 0 && stepSeed(s, 123456) < 2 ** 31);
});

test('without an eval file every 10th row is held out', () => {
  const rows = Array.from({ length: 25 }, (_, i) => row(`r${i}`, []));
  const { train, eval: ev } = holdOut(rows);
  assert.deepEqual(ev.map((r) => r.id), ['r9', 'r19']);
  assert.equal(train.length, 23);
  assert.equal(holdOut(rows.slice(0, 5)).eval.length, 0);
});
