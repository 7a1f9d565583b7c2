// The pretraining stream (src/train/nano/pretrain.ts) and the probe's scoring (probe.ts), without the engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getCodec } from '../../../../src/core/codecs';
import type { DatasetRow } from '../../../../src/core/types';
import { parseDatasetText } from '../../../../src/core/dataset';
import { copyShareAt, levelAt, stepRows } from '../../../../src/train/nano/pretrain';
import { NANO_PRETRAIN } from '../../../../src/train/nano/pretrainRecipe';
import { scoreProbe, stringValues } from '../../../../src/train/nano/probe';

test('a step\'s rows depend only on (seed, step): a resumed run sees the rows an uninterrupted one would', () => {
  assert.deepEqual(stepRows(1, 42, NANO_PRETRAIN), stepRows(1, 42, NANO_PRETRAIN));
  assert.notDeepEqual(stepRows(1, 42, NANO_PRETRAIN), stepRows(1, 43, NANO_PRETRAIN));
  assert.notDeepEqual(stepRows(1, 42, NANO_PRETRAIN), stepRows(2, 42, NANO_PRETRAIN));
  assert.equal(stepRows(1, 0, NANO_PRETRAIN).length, NANO_PRETRAIN.batchSize);
});

test('the curriculum starts with one or two small tools and reaches full domains at curriculumSteps', () => {
  const r = { ...NANO_PRETRAIN, curriculumSteps: 100 };
  assert.equal(levelAt(0, r), 0);
  assert.equal(levelAt(50, r), 0.5);
  assert.equal(levelAt(100, r), 1);
  assert.equal(levelAt(5000, r), 1);
  for (let s = 0; s < 5; s++) for (const row of stepRows(3, s, r)) assert.ok(row.tools.length <= 2, `step ${s}: ${row.tools.length} tools at level ~0`);
  const late = Array.from({ length: 20 }, (_, s) => stepRows(3, 1000 + s, r)).flat();
  assert.ok(Math.max(...late.map((x) => x.tools.length)) >= 6, 'full domains have many tools');
});

test('stringValues collects the string leaves a model has to copy', () => {
  assert.deepEqual(stringValues({ a: 'x', b: [1, 'y'], c: { d: 'z', e: true } }), ['x', 'y', 'z']);
  assert.deepEqual(stringValues(5), []);
});

test('scoreProbe: exact match, call rows apart from no-call rows, copied values and names', () => {
  const codec = getCodec('hermes');
  const row = (id: string, expected: DatasetRow['expected']): DatasetRow => ({ id, messages: [{ role: 'user', content: 'x' }], tools: [], expected });
  const rows = [
    row('right', [{ name: 'find_book', arguments: { title: 'Dune', year: 1965 } }]),
    row('wrong-value', [{ name: 'find_book', arguments: { title: 'Emma' } }]),
    row('wrong-name', [{ name: 'lock_door', arguments: { door: 'front' } }]),
    row('no-call', []),
  ];
  const texts = [
    codec.format([{ name: 'find_book', arguments: { title: 'Dune', year: 1965 } }]),
    codec.format([{ name: 'find_book', arguments: { title: 'Emmy' } }]), // name right, value not copied
    codec.format([{ name: 'open_door', arguments: { door: 'front' } }]), // value copied, name wrong
    codec.format([{ name: 'find_book', arguments: { title: 'x' } }]), // a call where none was wanted
  ];
  const p = scoreProbe(rows, texts, codec);
  assert.equal(p.n, 4);
  assert.equal(p.accuracy, 1 / 4);
  assert.equal(p.call_accuracy, 1 / 3);
  assert.equal(p.no_call_accuracy, 0);
  assert.equal(p.format_valid, 1);
  assert.equal(p.copy_rate, 2 / 3); // Dune, front copied; Emma not
  assert.equal(p.name_rate, 2 / 3);
});

test('scoreProbe: an unparsable answer is neither valid nor right', () => {
  const codec = getCodec('hermes');
  const p = scoreProbe([{ id: 'a', messages: [{ role: 'user', content: 'x' }], tools: [], expected: [{ name: 'f', arguments: { s: 'v' } }] }], ['<tool_call>{"name": "f", "argu'], codec);
  assert.equal(p.accuracy, 0);
  assert.equal(p.format_valid, 0);
});

test('pure copy rows: most of the batch at the start, falling to the floor at copySteps', () => {
  const r = { ...NANO_PRETRAIN, copyStart: 0.6, copyFloor: 0.05, copySteps: 100 };
  assert.equal(copyShareAt(0, r), 0.6);
  assert.ok(Math.abs(copyShareAt(50, r) - 0.325) < 1e-9);
  assert.ok(Math.abs(copyShareAt(100, r) - 0.05) < 1e-9);
  assert.ok(Math.abs(copyShareAt(10_000, r) - 0.05) < 1e-9);
  const early = Array.from({ length: 10 }, (_, s) => stepRows(9, s, r)).flat();
  const copies = early.filter((x) => x.id.startsWith('copy-')).length / early.length;
  assert.ok(copies > 0.4 && copies < 0.75, `share of copy rows near the start: ${copies}`);
});

test('a copy row asks for the only tool with the request copied verbatim into its one parameter', () => {
  const rows = stepRows(4, 0, { ...NANO_PRETRAIN, copyStart: 1, copyFloor: 1 });
  assert.equal(rows.length, NANO_PRETRAIN.batchSize);
  for (const row of rows) {
    assert.equal(row.tools.length, 1);
    const [call] = row.expected;
    assert.equal(call.name, row.tools[0].function.name);
    const [param, value] = Object.entries(call.arguments)[0];
    assert.deepEqual(row.tools[0].function.parameters.required, [param]);
    assert.ok(row.messages[0].content.includes(String(value)), 'the value is in the request');
    assert.ok(String(value).split(' ').length >= 4, 'a long value');
  }
  const r = parseDatasetText(rows.map((x) => JSON.stringify(x)).join('\n'), 'copy.jsonl');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
});
