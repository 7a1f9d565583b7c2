import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, cliInvocation } from '../../../src/vscode/cliProcess';
import { parseValidatorOutput, splitForEval, trainArgs } from '../../../src/vscode/trainArgs';

test('validator lines become located diagnostics with absolute paths; other lines are ignored', () => {
  const d = parseValidatorOutput(['data/train.jsonl:12:5: error: expected must be an array', 'ok: 40 rows', '/abs/tools.json:3:1: warning: no description'], '/w');
  assert.deepEqual(d, [
    { file: '/w/data/train.jsonl', line: 12, column: 5, severity: 'error', message: 'expected must be an array' },
    { file: '/abs/tools.json', line: 3, column: 1, severity: 'warning', message: 'no description' },
  ]);
});

test('train arguments: paths made absolute, hub ids, demo and nano kept, run folder under .tooltune/runs', () => {
  assert.deepEqual(trainArgs('/w', { tools: 'tools.json', data: 'train.jsonl', eval_split: 10, model: 'demo', preset: 'demo' }, undefined),
    ['--tools', '/w/tools.json', '--data', '/w/train.jsonl', '--model', 'demo', '--preset', 'demo', '--out', '/w/.tooltune/runs']);
  const a = trainArgs('/w', { tools: 't.json', data: 'd.jsonl', eval_data: 'e.jsonl', model: 'models/tiny' }, '/w/.tooltune/cache/c.json', (p) => p === '/w/models/tiny');
  assert.deepEqual(a.slice(4), ['--eval-data', '/w/e.jsonl', '--model', '/w/models/tiny', '--config', '/w/.tooltune/cache/c.json', '--out', '/w/.tooltune/runs']);
  assert.equal(trainArgs('/w', { tools: 't', data: 'd', model: 'Qwen/Qwen2.5-0.5B-Instruct' }, undefined, () => false)[5], 'Qwen/Qwen2.5-0.5B-Instruct');
  // ToolTune Nano is named, not made a workspace path (the CLI finds models/nano/ itself)
  assert.deepEqual(trainArgs('/w', { tools: 't', data: 'd', model: 'nano', preset: 'nano' }, undefined, () => false).slice(4, 8), ['--model', 'nano', '--preset', 'nano']);
});

test('the CLI runs on VS Code\'s own Node with ELECTRON_RUN_AS_NODE, arguments as an array', () => {
  const inv = cliInvocation('/ext', ['train', '--tools', 'a b.json'], { PATH: '/bin' }, '/vscode/node');
  assert.deepEqual(inv, { command: '/vscode/node', args: ['/ext/dist/cli.js', 'train', '--tools', 'a b.json'], env: { PATH: '/bin', ELECTRON_RUN_AS_NODE: '1' } });
});

test('LineSplitter holds a partial line until its newline or the flush at exit', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  s.push('{"a":1}\n{"b"');
  assert.deepEqual(lines, ['{"a":1}']);
  s.push(':2}\r\ntail');
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}']);
  s.flush();
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}', 'tail']);
});

test('splitting off N% for eval is deterministic, spread over the file, and loses no row', () => {
  const text = Array.from({ length: 25 }, (_, i) => JSON.stringify({ id: `r${i}` })).join('\n') + '\n\n';
  const s = splitForEval(text, 20);
  assert.equal(s.evalRows, 5);
  assert.deepEqual(s.eval.trim().split('\n').map((l) => JSON.parse(l).id), ['r4', 'r9', 'r14', 'r19', 'r24']);
  assert.equal(s.train.trim().split('\n').length, 20);
  assert.deepEqual(splitForEval(text, 20), s);
});
