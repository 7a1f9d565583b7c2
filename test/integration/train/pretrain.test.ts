// `tooltune pretrain` end to end at CI size (issue 11): a tiny Nano-shaped model, generated rows through the real
// engine's SFT path, checkpoints, the probe, and a resume that continues the same run. Shows the pipeline, not the
// budget (the shipped Nano's run is in models/nano/README.md).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import runCli from '../../../src/cli/commands/pretrain';
import { cardSha256, sha256File } from '../../../src/train/nano/card';
import { pretrain } from '../../../src/train/nano/pretrain';
import { PYTHON } from './fixture';

const TINY = { hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1, head_dim: 16 };
const RECIPE = { batchSize: 4, saveEvery: 2, probeEvery: 3, probeRows: 4, curriculumSteps: 4, totalSteps: 50, warmupSteps: 1 };
const lines = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);

test('pretrain runs a few steps, checkpoints, probes, and a second call resumes where the first stopped', { timeout: 240_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'tt-pretrain-'));
  try {
    const logs: string[] = [];
    const first = await pretrain({ out, seed: 5, minutes: 0, maxSteps: 3, recipe: RECIPE, shape: TINY, python: PYTHON, threads: 1, log: (m) => logs.push(m) });
    assert.equal(first.step, 3);
    assert.ok(first.tokens > 0 && first.rows === 12);
    for (const f of ['model/config.json', 'model/tokenizer.json', 'recipe.json', 'metrics.jsonl', 'probe.jsonl', 'checkpoints/step-3/trainer_state.json',
      'final/config.json', 'final/model.safetensors', 'final/tokenizer_config.json']) assert.ok(existsSync(join(out, f)), `${f} written`);
    const m1 = lines(join(out, 'metrics.jsonl'));
    assert.deepEqual(m1.map((m) => m.step), [1, 2, 3]);
    assert.ok(m1.every((m) => Number.isFinite(m.loss) && m.loss > 0));
    const probe = lines(join(out, 'probe.jsonl'));
    assert.equal(probe[0].step, 3);
    assert.equal(probe[0].n, 4);
    // Nano's template: descriptions after the signatures, brief instructions.
    const template = String(JSON.parse(readFileSync(join(out, 'model/tokenizer_config.json'), 'utf8')).chat_template);
    assert.match(template, /f\.description/);
    assert.doesNotMatch(template, /You may call one or more functions/);

    const second = await pretrain({ out, seed: 5, minutes: 0, maxSteps: 5, python: PYTHON, threads: 1, log: (m) => logs.push(m) });
    assert.equal(second.step, 5);
    assert.ok(logs.some((l) => /resumed from .*step-3/.test(l)), logs.join('\n'));
    const m2 = lines(join(out, 'metrics.jsonl'));
    assert.deepEqual(m2.map((m) => m.step), [1, 2, 3, 4, 5]);
    assert.ok(m2[4].num_tokens > m2[2].num_tokens, 'token count carries on from the checkpoint');
    // The recipe of the run folder wins over defaults on resume (the second call passed none).
    assert.equal(JSON.parse(readFileSync(join(out, 'recipe.json'), 'utf8')).recipe.batchSize, 4);
    assert.equal(m2[4].rows, 20);

    // --ship: bf16 weights, the run's curves, and a card whose sha256 is the weights'.
    const dest = join(out, 'shipped');
    const code = await runCli(['--out', out, '--steps', '5', '--seed', '5', '--threads', '1', '--python', PYTHON, '--ship', dest]);
    assert.equal(code, 0);
    const card = readFileSync(join(dest, 'README.md'), 'utf8');
    assert.equal(cardSha256(card), sha256File(join(dest, 'model.safetensors')));
    assert.equal(JSON.parse(readFileSync(join(dest, 'config.json'), 'utf8')).torch_dtype, 'bfloat16');
    assert.match(card, /--steps 5 --seed 5/);
    for (const f of ['pretraining/metrics.jsonl', 'pretraining/probe.jsonl', 'pretraining/loss.svg', 'pretraining/recipe.json', 'tokenizer.json']) assert.ok(existsSync(join(dest, f)), f);
  } finally {
    if (!process.env.KEEP) rmSync(out, { recursive: true, force: true });
  }
});
