import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyChoices, readProjectConfig, readProjectConfigText, trainerConfigText, writeProjectChoices } from '../../../src/vscode/projectConfig';

test('saving choices keeps the user\'s comments and other settings', () => {
  const before = '{\n  // my tuning\n  "max_steps": 3, /* short */\n  "model": "demo"\n}\n';
  const after = applyChoices(before, { tools: 'tools.json', data: 'train.jsonl', model: 'Qwen/Qwen2.5-0.5B-Instruct', eval_data: undefined });
  assert.match(after, /\/\/ my tuning/);
  assert.match(after, /\/\* short \*\//);
  const r = readProjectConfigText(after);
  assert.equal(r.value.max_steps, 3);
  assert.deepEqual(r.choices, { tools: 'tools.json', data: 'train.jsonl', model: 'Qwen/Qwen2.5-0.5B-Instruct' });
});

test('an empty or missing file gets a fresh object; a broken one is reported, not thrown', () => {
  assert.deepEqual(readProjectConfigText(applyChoices('', { preset: 'demo', eval_split: 10 })).choices, { preset: 'demo', eval_split: 10 });
  const bad = readProjectConfigText('{"model": ');
  assert.match(bad.error!, /not valid JSON/);
  assert.deepEqual(bad.choices, {});
  assert.match(readProjectConfigText('[1]').error!, /one JSON object/);
});

test('write then read round-trips through .tooltune/config.json', () => {
  const d = mkdtempSync(join(tmpdir(), 'tt-cfg-'));
  try {
    assert.deepEqual(readProjectConfig(d).choices, {});
    const file = writeProjectChoices(d, { tools: 't.json', data: 'd.jsonl', model: 'demo', preset: 'demo' });
    assert.equal(file, join(d, '.tooltune', 'config.json'));
    assert.deepEqual(readProjectConfig(d).choices, { tools: 't.json', data: 'd.jsonl', model: 'demo', preset: 'demo' });
    writeProjectChoices(d, { preset: 'toolexpander' });
    assert.equal(readProjectConfig(d).choices.preset, 'toolexpander');
    assert.equal(readProjectConfig(d).choices.tools, 't.json');
    assert.ok(readFileSync(file, 'utf8').endsWith('\n') || readFileSync(file, 'utf8').endsWith('}'));
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('the trainer\'s copy drops the extension-only keys and keeps training keys', () => {
  const t = trainerConfigText('{\n  "tools": "t.json",\n  "data": "d.jsonl",\n  "eval_split": 10,\n  "max_steps": 3,\n  "model": "demo"\n}');
  assert.deepEqual(JSON.parse(t), { max_steps: 3, model: 'demo' });
});
