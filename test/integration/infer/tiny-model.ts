// Builds a real exported tiny model for the inference tests: the engine (torch) initialises a Qwen3-shaped model
// with the real 151,936-token Qwen3 vocabulary, saves and exports it; the Qwen3 tokenizer files are copied in.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { copyQwen3Tokenizer } from '../../../src/core/tokenizer';

export const ROOT = resolve(__dirname, '../../..');
export const PYTHON = process.env.TOOLTUNE_PYTHON ?? '/usr/bin/python3';

export const TINY_CONFIG = {
  model_type: 'qwen3', vocab_size: 151936, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16, tie_word_embeddings: true, rope_theta: 10000,
  rms_norm_eps: 1e-6, eos_token_id: 151645, max_position_embeddings: 4096,
};

export interface Reference { logits: number[]; greedy: number[]; finish: string; padded: number[][] }

/** Creates and exports the model; returns its folder and the engine's reference outputs for `prompt`. */
export function buildTinyModel(req: { prompt: number[]; short: number[]; maxNewTokens: number; stop: number[]; seed?: number; layerScale?: number },
  dir = mkdtempSync(join(tmpdir(), 'tooltune-tiny-'))): { dir: string; ref: Reference } {
  const reqFile = join(dir, '.request.json');
  writeFileSync(reqFile, JSON.stringify({ config: TINY_CONFIG, seed: req.seed ?? 0, prompt: req.prompt, short: req.short,
    max_new_tokens: req.maxNewTokens, stop: req.stop, layer_scale: req.layerScale ?? 4 }));
  const r = spawnSync(PYTHON, [join(__dirname, 'fixtures', 'tiny_model.py'), dir, reqFile], {
    encoding: 'utf8', env: { ...process.env, PYTHONPATH: join(ROOT, 'engine') }, maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`tiny model build failed (${PYTHON}):\n${r.stderr}`);
  copyQwen3Tokenizer(dir);
  return { dir, ref: JSON.parse(r.stdout) as Reference };
}

/** Tools for a realistic prompt (~400 tokens with the Qwen3 template). */
export const TOOLS = [
  { type: 'function' as const, function: { name: 'get_weather', description: 'Current weather for a city.',
    parameters: { type: 'object' as const, properties: { city: { type: 'string', description: 'City name, e.g. Paris' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } } },
  { type: 'function' as const, function: { name: 'create_event', description: 'Add an event to the calendar.',
    parameters: { type: 'object' as const, properties: { title: { type: 'string' }, date: { type: 'string', description: 'YYYY-MM-DD' },
      time: { type: 'string', description: 'HH:MM, 24-hour' }, duration_minutes: { type: 'integer', minimum: 5 } },
    required: ['title', 'date'] } } },
  { type: 'function' as const, function: { name: 'send_email', description: 'Send an email to one recipient.',
    parameters: { type: 'object' as const, properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } },
    required: ['to', 'subject', 'body'] } } },
];
