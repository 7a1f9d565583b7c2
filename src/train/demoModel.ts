// The built-in demo model (`--model demo`): a small Qwen3-shaped decoder with the real Qwen3 tokenizer, trimmed to
// the tokens the domain uses (src/train/demo/vocabTrim.ts), random-initialised by the engine, cached by a hash of
// the recipe and the domain text so a second run starts at once. Its weights only become useful after the SFT
// warm-up of the run (the `demo` preset).
//
// Shape (LEARNING.md, measured on 2 cores): the body of the 20M feasibility model (4 layers, 4 q / 2 kv heads,
// head_dim 32) at d 128 learned format and names in minutes; RoPE θ 1e4 instead of 1e6 leaves more fast-rotating
// dimensions for copying values from the request. The same shape as src/train/demo/recipe.ts's DEMO_MODEL (the
// demo-model engineer's measured recipe): on the sample workspace most of the time is attention over the ~1,550-token
// tools prompt, so width and depth stay small.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getCodec } from '../core/codecs';
import { PromptRenderer, _private } from '../core/prompt';
import { loadTokenizer, qwen3TokenizerFolder, writeTokenizerFolder } from '../core/tokenizer';
import type { DatasetRow } from '../core/types';
import type { EngineClient } from '../engine/client';
import type { ModelConfig } from '../engine/protocol';
import type { TrainConfig } from './config';
import { trimVocabulary } from './demo/vocabTrim';
import { FEW_SHOT_HEADER } from './fewShot';
import { SELF_EXEMPLIFY_INSTRUCTION } from './selfExemplify';

export const DEMO_SHAPE = {
  model_type: 'qwen3' as const,
  hidden_size: 128,
  intermediate_size: 512,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 32,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  max_position_embeddings: 4096,
  tie_word_embeddings: true,
  attention_bias: false,
  architectures: ['Qwen3ForCausalLM'],
};
/** Pad the trimmed vocabulary to a multiple of 64 rows (matmul-friendly); the extra rows are never sampled. */
const PAD_VOCAB_TO = 64;

/** Every text the demo model will see: prompts (with and without ToolExpander's additions) and gold answers. */
export function domainTexts(renderer: PromptRenderer, rows: readonly DatasetRow[], codecName: string): string[] {
  const codec = getCodec(codecName);
  const out = new Set<string>();
  const extras = [SELF_EXEMPLIFY_INSTRUCTION, FEW_SHOT_HEADER, ...Array.from({ length: 8 }, (_, i) => `Example ${i + 1}\nRequest: x\nAnswer:\n`),
    '<example>\nrequest: x\ncall: y\ncheck: z\n</example>\n'];
  // Rendered prompts are cut at added tokens (<|im_start|>, …), where the tokenizer itself cuts before BPE, so the
  // pieces encode exactly as the whole text does; deduplicated, the tools block shared by every row is encoded once.
  const splitter = _private.segmentSplitter(renderer.tokenizer.addedTokens);
  const add = (text: string) => { for (const piece of splitter ? text.split(splitter) : [text]) if (piece) out.add(piece); };
  for (const e of extras) add(e);
  for (const r of rows) {
    add(renderer.renderText(r));
    add(codec.format(r.expected));
    for (const m of r.messages) add(m.content);
  }
  return [...out];
}

/** Create (or reuse from the cache) the demo model folder and load it into the engine when `load`. */
export async function prepareDemoModel(engine: EngineClient, cfg: TrainConfig, rows: readonly DatasetRow[], opts: {
  cacheDir: string; load: boolean; log?: (level: 'info' | 'warning', message: string) => void;
}): Promise<string> {
  const full = loadTokenizer(qwen3TokenizerFolder());
  const codecName = cfg.codec ?? 'hermes';
  const texts = domainTexts(new PromptRenderer(full), rows, codecName);
  const hash = createHash('sha256').update(JSON.stringify({ DEMO_SHAPE, PAD_VOCAB_TO, seed: cfg.seed, texts })).digest('hex').slice(0, 16);
  const folder = join(opts.cacheDir, 'demo-models', hash);
  const ready = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].every((f) => existsSync(join(folder, f)));
  if (ready) {
    opts.log?.('info', `demo model from the cache: ${folder}`);
    if (opts.load) await engine.request('load_model', { path: folder, lora: cfg.lora });
    return folder;
  }
  const srcDir = qwen3TokenizerFolder();
  const json = JSON.parse(readFileSync(join(srcDir, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
  const conf = JSON.parse(readFileSync(join(srcDir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  const trimmed = trimVocabulary(full, json, conf, texts, { padToMultipleOf: PAD_VOCAB_TO });
  writeTokenizerFolder(folder, trimmed.tokenizerJson, trimmed.tokenizerConfig);
  const tok = loadTokenizer(folder);
  const eos = tok.tokenId('<|im_end|>') ?? tok.eosTokenId;
  const config: ModelConfig = { ...DEMO_SHAPE, vocab_size: trimmed.modelVocabSize, bos_token_id: null, eos_token_id: eos };
  const info = await engine.request('init_model', { config, out: folder, seed: cfg.seed, lora: cfg.lora });
  opts.log?.('info', `demo model created: ${folder} (${info.num_parameters.toLocaleString('en')} parameters, vocabulary ${trimmed.vocabSize} of ${full.vocabSize} tokens)`);
  return folder;
}
