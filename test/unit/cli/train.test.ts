import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromArgs, parseTrainArgs } from '../../../src/cli/commands/train';

function workspace(config: string): string {
  const root = mkdtempSync(join(tmpdir(), 'tt-train-args-'));
  mkdirSync(join(root, '.tooltune'));
  writeFileSync(join(root, '.tooltune', 'config.json'), config);
  return root;
}

test('tooltune train takes --tools/--data/--eval-data from .tooltune/config.json when the flags are missing', () => {
  const root = workspace('{ "tools": "tools.json", "data": "train.jsonl", "eval_data": "eval.jsonl", "preset": "demo" }');
  const a = parseTrainArgs(['--model', 'demo']);
  configFromArgs(a, root);
  assert.equal(a.tools, join(root, 'tools.json'));
  assert.equal(a.data, join(root, 'train.jsonl'));
  assert.equal(a.evalData, join(root, 'eval.jsonl'));
});

test('flags win over the config file, and a bad input entry is reported at its line', () => {
  const root = workspace('{ "tools": "tools.json", "data": "train.jsonl" }');
  const a = parseTrainArgs(['--data', 'other.jsonl']);
  configFromArgs(a, root);
  assert.equal(a.data, 'other.jsonl');
  assert.equal(a.tools, join(root, 'tools.json'));
  const bad = workspace('{\n  "tools": ""\n}');
  assert.throws(() => configFromArgs(parseTrainArgs([]), bad), /config\.json:2:12: tools: must be a file path/);
});
