import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, judgeRow, passAtK } from '../../../src/core/evaluate';
import { getCodec } from '../../../src/core/codecs/index';
import type { DatasetRow } from '../../../src/core/types';

const row = (id: string, expected: DatasetRow['expected']): DatasetRow => ({ id, messages: [{ role: 'user', content: id }], tools: [], expected });
const ROWS = [
  row('single', [{ name: 'f', arguments: { a: 1, b: 'x' } }]),
  row('parallel', [{ name: 'f', arguments: { a: 1, b: 'x' } }, { name: 'g', arguments: {} }]),
  row('none', []),
  row('none2', []),
];

test('evaluate: metrics overall and per category, with reasons', () => {
  const outputs: Record<string, string> = {
    single: '{"name": "f", "arguments": {"a": 1, "b": "y"}}',                              // one argument wrong
    parallel: '[{"name": "g", "arguments": {}}, {"name": "f", "arguments": {"a": 1, "b": "x"}}]', // right, swapped
    none: '[]',                                                                          // right no-call
    // none2: no prediction at all
  };
  const r = evaluate(ROWS, (x) => outputs[x.id], getCodec('json'));
  assert.equal(r.overall.n, 4);
  assert.equal(r.overall.accuracy, 0.5);
  assert.equal(r.overall.name_accuracy, 1);           // names right everywhere (no-call rows: no call)
  assert.equal(r.overall.args_accuracy, 3 / 4);       // a, b of single (1 right) + a, b of parallel (2 right)
  assert.equal(r.overall.format_valid, 3 / 4);        // the missing prediction is an empty output
  assert.equal(r.overall.no_call_accuracy, 1);        // no call was made on either no-call row
  assert.equal(r.byCategory.single.accuracy, 0);
  assert.equal(r.byCategory.parallel.accuracy, 1);
  assert.ok(Number.isNaN(r.byCategory.no_call.args_accuracy));
  assert.deepEqual(r.missing, ['none2']);
  assert.deepEqual(r.verdicts[0]!.reasons, ['f: argument b is "y", expected "x"']);
  assert.deepEqual(r.verdicts[3]!.reasons, ['no prediction for this row', 'empty output']);
});

test('judgeRow explains wrong no-call rows and unclean output', () => {
  const j = getCodec('json');
  assert.deepEqual(judgeRow(ROWS[2]!, j.parse('{"name": "f", "arguments": {}}')).reasons, ['made a call (f) where none was expected']);
  const v = judgeRow(ROWS[0]!, j.parse('Here: {"name": "f", "arguments": {"a": 1, "b": "x"}}'));
  assert.equal(v.correct, false);
  assert.equal(v.names_correct, true);
  assert.deepEqual(v.reasons, ['text before the JSON']);
  // bfcl mode normalises strings
  assert.equal(judgeRow(ROWS[0]!, j.parse('{"name": "f", "arguments": {"a": 1.0, "b": "X"}}'), 'bfcl').correct, true);
});

test('passAtK: unbiased estimator', () => {
  const cases: Array<[number, number, number, number]> = [
    [8, 1, 1, 0.125],      // one right in eight, one draw
    [8, 1, 8, 1],          // all drawn
    [8, 0, 4, 0],          // none right
    [10, 3, 2, 1 - (7 / 10) * (6 / 9)],
    [200, 20, 10, 1 - Array.from({ length: 10 }, (_, i) => (180 - i) / (200 - i)).reduce((a, b) => a * b, 1)],
  ];
  for (const [n, c, k, want] of cases) assert.ok(Math.abs(passAtK(n, c, k) - want) < 1e-12, `pass@${k} n=${n} c=${c}`);
  assert.throws(() => passAtK(4, 5, 1), /0 ≤ c ≤ n/);
  assert.throws(() => passAtK(4, 1, 5), /1 ≤ k ≤ n/);
});
