// The built-in demo model (`--model demo`): a small Qwen3-shaped decoder with the real Qwen3 tokenizer trimmed to
// the tokens the domain uses. The folder (config.json from the recipe's shape, trimmed tokenizer, generation config)
// is the demo-model engineer's `createDemoFolder` (src/train/demo/, measured in its RESULTS.md); the engine's
// `init_model` then writes random weights into it. Cached by a hash of the recipe and the rows, so a second run
// starts at once. Its weights only become useful after the run's SFT warm-up (the `demo` preset).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { getCodec } from '../core/codecs';
import type { DatasetRow } from '../core/types';
import type { EngineClient } from '../engine/client';
import type { ModelConfig } from '../engine/protocol';
import type { TrainConfig } from './config';
import { compactToolsTemplate } from './demo/compactTools';
import { createDemoFolder } from './demo/demoFolder';
import { DEMO_MODEL, DEMO_VOCAB } from './demo/recipe';
import { FEW_SHOT_HEADER } from './fewShot';
import { SELF_EXEMPLIFY_INSTRUCTION } from './selfExemplify';

/** Prompt text the trainer may add beyond the rows (ToolExpander): its tokens belong in the vocabulary too. */
export const EXTRA_TEXTS = [SELF_EXEMPLIFY_INSTRUCTION, FEW_SHOT_HEADER,
  ...Array.from({ length: 8 }, (_, i) => `Example ${i + 1}\nRequest: x\nAnswer:\n`), '<example>\nrequest: x\ncall: y\ncheck: z\n</example>\n'];

/** The cache key: recipe, codec, seed and every row's content (not its rendering, which takes seconds). */
export function demoCacheKey(cfg: TrainConfig, rows: readonly DatasetRow[]): string {
  // The tools-signature template is part of the key: a model trained on one prompt format is no use with another.
  const template = compactToolsTemplate('{{- tool | tojson }}');
  const h = createHash('sha256').update(JSON.stringify({ DEMO_MODEL, DEMO_VOCAB, EXTRA_TEXTS, template, codec: cfg.codec ?? 'hermes', seed: cfg.seed }));
  for (const r of rows) h.update(JSON.stringify([r.messages, r.tools, r.expected]));
  return h.digest('hex').slice(0, 16);
}

/** Create (or reuse from the cache) the demo model folder and load it into the engine when `load`. */
export async function prepareDemoModel(engine: EngineClient, cfg: TrainConfig, rows: readonly DatasetRow[], opts: {
  cacheDir: string; load: boolean; log?: (level: 'info' | 'warning', message: string) => void;
}): Promise<string> {
  const folder = join(opts.cacheDir, 'demo-models', demoCacheKey(cfg, rows));
  const ready = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].every((f) => existsSync(join(folder, f)));
  if (ready) {
    opts.log?.('info', `demo model from the cache: ${folder}`);
    if (opts.load) await engine.request('load_model', { path: folder, lora: cfg.lora });
    return folder;
  }
  rmSync(folder, { recursive: true, force: true }); // a half-created folder from an interrupted first run
  const codec = getCodec(cfg.codec ?? 'hermes');
  const made = createDemoFolder(folder, { rows, answerText: (r) => codec.format(r.expected), extraTexts: EXTRA_TEXTS });
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as ModelConfig;
  const info = await engine.request('init_model', { config, out: folder, seed: cfg.seed, lora: cfg.lora });
  opts.log?.('info', `demo model created: ${folder} (${info.num_parameters.toLocaleString('en')} parameters, vocabulary ${made.tokenizerSize} tokens)`);
  return folder;
}
