// `tooltune export` and `tooltune test` end to end on a real tiny model: the export goes through the engine's
// JSON-RPC (load_model → export_onnx → logits for the parity check), the test command runs the sample cases.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportModel, PARITY_TOLERANCE, resolveModelFolder } from '../../../src/cli/commands/export';
import runTest from '../../../src/cli/commands/test';
import { buildTinyModel, PYTHON, ROOT } from './tiny-model';

process.env.XDG_CACHE_HOME ??= mkdtempSync(join(tmpdir(), 'tooltune-xdg-'));
let dir = '';
let out = '';

before(() => {
  ({ dir } = buildTinyModel({ prompt: [1, 2, 3], short: [1], maxNewTokens: 1, stop: [151645] }));
  out = mkdtempSync(join(tmpdir(), 'tooltune-export-'));
});
after(() => { for (const d of [dir, out]) if (d) rmSync(d, { recursive: true, force: true }); });

test('tooltune export: onnx + config + tokenizer files in --out, parity within 1e-4, int8 variant with the same top token', async () => {
  const r = await exportModel({ model: dir, out, python: PYTHON, int8: true });
  for (const f of ['onnx/model.onnx', 'onnx/model_int8.onnx', 'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    assert.ok(existsSync(join(out, f)), f);
  }
  assert.ok(r.parity && r.parity.maxAbsDiff <= PARITY_TOLERANCE && r.parity.sameArgmax, JSON.stringify(r.parity));
  assert.ok(r.int8?.parity?.sameArgmax, JSON.stringify(r.int8));
  assert.ok(r.int8!.bytes < r.bytes / 2, 'the int8 file is much smaller');
});

test('tooltune export names the fix for a run without a final model', () => {
  assert.throws(() => resolveModelFolder({ run: join(ROOT, 'no-such-run') }), /no final model in this run/);
  assert.throws(() => resolveModelFolder({}), /exactly one of --run or --model/);
});

test('tooltune test runs the sample cases headless and prints a summary line', async () => {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  let code: number;
  try {
    // Three of the sample cases (a call, a parallel call, a no-call), with tools.json by absolute path: keeps CI short.
    const sample = readFileSync(join(ROOT, 'sample-workspace/calls.tooltest'), 'utf8').split('\n\n');
    const picked = [sample[1], sample[7], sample[11]].join('\n\n');
    const file = join(out, 'three.tooltest');
    writeFileSync(file, `tools: ${join(ROOT, 'sample-workspace/tools.json')}\n\n${picked}\n`);
    code = await runTest([file, '--model', out, '--max-new-tokens', '8']);
  } finally {
    console.log = orig;
  }
  const summary = lines[lines.length - 1]!;
  assert.match(summary, /^\d+ passed, \d+ failed, 0 skipped, 0 errored \(3 cases\) in [\d.]+ s$/);
  // a random model cannot make the expected calls: the call cases fail and the exit code says so
  assert.equal(code, 1);
  assert.ok(lines.some((l) => l.startsWith('✗ weather with unit (line 3,')), lines.join('\n'));
});

test('tooltune eval --model scores the exported model\'s greedy answers (fp32 and int8) with the model family\'s codec', async () => {
  const { evalCommand } = await import('../../../src/cli/commands/eval');
  const rows = readFileSync(join(ROOT, 'sample-workspace/eval.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 4);
  const data = join(out, 'four.jsonl');
  writeFileSync(data, rows.join('\n') + '\n');
  for (const variant of [[], ['--int8']]) {
    const logs: string[] = [];
    const errs: string[] = [];
    const code = await evalCommand(['--tools', join(ROOT, 'sample-workspace/tools.json'), '--data', data, '--model', out,
      '--max-new-tokens', '6', '--json', ...variant], { log: (s) => logs.push(s), error: (s) => errs.push(s) });
    assert.equal(code, 0, errs.join('\n'));
    const r = JSON.parse(logs[logs.length - 1]!);
    assert.equal(r.codec, 'hermes');                     // a qwen3 folder: Hermes <tool_call> blocks
    assert.equal(r.overall.n, 4);
    assert.equal(r.rows.length, 4);
    assert.deepEqual(r.missing, []);                     // every row got an answer from the model
    // a random model writes no valid call: every row that expects one is wrong, with a reason
    for (const row of r.rows.filter((x: { category: string }) => x.category !== 'no_call')) {
      assert.equal(row.correct, false);
      assert.ok(row.reasons.length > 0);
    }
  }
  const errs: string[] = [];
  assert.equal(await evalCommand(['--data', data, '--model', out, '--predictions', data], { log: () => {}, error: (s) => errs.push(s) }), 2);
  assert.match(errs[0]!, /one of --predictions or --model/);
});
