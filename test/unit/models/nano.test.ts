// The shipped ToolTune Nano (models/nano/, issue 11): complete, within its size budget, its card's sha256 is the
// weights', and the generator still yields the rows it was pretrained on (so the card's rebuild command is true).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cardSha256, sha256File } from '../../../src/train/nano/card';
import { streamFingerprint } from '../../../src/train/nano/pretrain';
import { NANO_PRETRAIN } from '../../../src/train/nano/pretrainRecipe';

const DIR = join(__dirname, '..', '..', '..', 'models', 'nano');

test('models/nano is a complete Hugging Face folder within 50 MB', () => {
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'README.md',
    'pretraining/recipe.json', 'pretraining/summary.json', 'pretraining/metrics.jsonl', 'pretraining/probe.jsonl', 'pretraining/loss.svg']) {
    assert.ok(existsSync(join(DIR, f)), `models/nano/${f} is missing`);
  }
  const config = JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8'));
  assert.equal(config.model_type, 'qwen3');
  assert.ok(['bfloat16', 'float16'].includes(config.torch_dtype), `shipped in half precision, not ${config.torch_dtype}`);
  let bytes = 0;
  for (const f of ['model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'config.json']) bytes += statSync(join(DIR, f)).size;
  assert.ok(bytes <= 50e6, `${(bytes / 1e6).toFixed(1)} MB`);
});

test("the model card's sha256 is the shipped weights' sha256", () => {
  const card = readFileSync(join(DIR, 'README.md'), 'utf8');
  assert.equal(cardSha256(card), sha256File(join(DIR, 'model.safetensors')));
});

test('the generator still yields the rows Nano was pretrained on, with the recipe in the code', () => {
  const summary = JSON.parse(readFileSync(join(DIR, 'pretraining', 'summary.json'), 'utf8'));
  const recipe = JSON.parse(readFileSync(join(DIR, 'pretraining', 'recipe.json'), 'utf8'));
  assert.deepEqual(recipe.recipe, NANO_PRETRAIN, 'src/train/nano/pretrainRecipe.ts changed since Nano was built: rebuild it or restore the recipe');
  assert.equal(streamFingerprint(summary.seed, NANO_PRETRAIN), summary.stream_sha256,
    'src/core/synth changed the pretraining rows: the card\'s rebuild command would train on other rows (rebuild Nano, or keep the corpus path as it was)');
});
