// `tooltune demo --from-scratch --quick --json` on a small domain: the built-in demo model is created (trimmed Qwen3
// tokenizer, engine init), SFT-warmed, evaluated, GRPO-trained, evaluated again and exported; the last stdout line is
// the JSON summary with before/after fractions. (The demo from ToolTune Nano is test/integration/train/nano.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, writeDomain } from './fixture';

test('demo --from-scratch --quick --json: every stage runs and the last line is the before/after summary', { timeout: 600_000 }, async () => {
  const d = writeDomain();
  const cache = mkdtempSync(join(tmpdir(), 'tt-cache-'));
  const r = await runCli(['demo', '--from-scratch', '--quick', '--json', '--tools', d.tools, '--data', d.train, '--eval-data', d.eval, '--out', join(d.dir, 'runs')],
    { env: { TOOLTUNE_CACHE: cache } });
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(last.status, 'completed');
  assert.equal(last.quick, true);
  assert.equal(last.steps, 4);
  assert.equal(last.model, 'demo');
  assert.equal(last.base, null);          // random weights: no zero-shot evaluation
  assert.equal(last.skipped_grpo, null);  // the from-scratch recipe has no learnability gate
  for (const side of ['before', 'after']) {
    for (const k of ['accuracy', 'pass_at_4', 'format_valid', 'name_accuracy', 'args_accuracy', 'call_accuracy', 'call_pass_at_4', 'learnable_rows']) {
      assert.ok(typeof last[side][k] === 'number' && last[side][k] >= 0 && last[side][k] <= 1, `${side}.${k} = ${last[side][k]}`);
    }
    assert.equal(last[side].n, 4);
  }
  assert.ok(last.after.pass_at_4 >= 0);
  assert.ok(existsSync(join(last.run, 'final', 'onnx', 'model.onnx')));
  // the demo model was created once in the cache, with its trimmed tokenizer
  const models = readdirSync(join(cache, 'demo-models'));
  assert.equal(models.length, 1);
  assert.ok(existsSync(join(cache, 'demo-models', models[0], 'tokenizer.json')));
  assert.match(r.stderr, /base\s+after SFT\s+after GRPO/);
  assert.match(r.stderr, /--quick: a pipeline check/);
});
