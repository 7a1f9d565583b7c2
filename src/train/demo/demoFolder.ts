// Creates the demo model's folder: a Qwen3-shaped `config.json` (from the recipe) and a Qwen3 tokenizer trimmed to
// the demo domain. Weights are not written here: the engine's `init_model` fills the folder with random weights
// (HF-style init) and `model.safetensors`, then SFT and GRPO train it like any other model.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer, qwen3TokenizerFolder, writeTokenizerFolder } from '../../core/tokenizer';
import { PromptRenderer, type PromptOptions } from '../../core/prompt';
import type { DatasetRow } from '../../core/types';
import { DEMO_MODEL, DEMO_VOCAB, demoModelConfig, type DemoModelShape, type DemoVocabSettings } from './recipe';
import { compactToolsTemplate } from './compactTools';
import { trimVocabulary } from './vocabTrim';

export interface DemoFolderOptions {
  /** Every row the demo will render (train and eval): their prompts and gold answers decide the vocabulary. */
  rows: readonly DatasetRow[];
  /** The gold answer text of a row, as the SFT target will be (the codec's `format(row.expected)`). */
  answerText: (row: DatasetRow) => string;
  /** More text the demo will put in prompts (e.g. ToolExpander few-shot demonstrations, instructions). */
  extraTexts?: readonly string[];
  /** Prompt options used for the rows (the same the trainer will use). */
  prompt?: PromptOptions;
  shape?: Partial<DemoModelShape>;
  vocab?: Partial<DemoVocabSettings>;
  /** Write each tool's description after its signature (ToolTune Nano's template; the demo model's omits it). */
  toolDescriptions?: boolean;
  /** Nano's brief tool instructions instead of Qwen3's (compactTools.ts). */
  briefInstructions?: boolean;
}

export interface DemoFolder {
  dir: string;
  config: Record<string, unknown>;
  /** Tokens in the trimmed tokenizer, and the model's (padded) vocab_size. */
  tokenizerSize: number;
  vocabSize: number;
  eosTokenId: number;
  padTokenId: number;
}

/** Write `config.json`, `generation_config.json`, `tokenizer.json` and `tokenizer_config.json` into `dir`. */
export function createDemoFolder(dir: string, opts: DemoFolderOptions): DemoFolder {
  if (!opts.rows.length) {
    throw new Error('createDemoFolder: no dataset rows given. The demo vocabulary is built from the rows\' prompts and ' +
      'answers; pass the rows of sample-workspace/train.jsonl and eval.jsonl.');
  }
  const srcDir = qwen3TokenizerFolder();
  const json = JSON.parse(readFileSync(join(srcDir, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
  const qwen3Cfg = JSON.parse(readFileSync(join(srcDir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  // The demo model's own template writes tools as one-line signatures (compactTools.ts). The full tokenizer with that
  // template goes into `dir` first, renders every row (those texts decide the trimmed vocabulary), and is then
  // replaced by the trimmed one.
  const cfg = { ...qwen3Cfg, chat_template: compactToolsTemplate(String(qwen3Cfg.chat_template), { descriptions: opts.toolDescriptions, brief: opts.briefInstructions }) };
  writeTokenizerFolder(dir, json, cfg);
  const full = loadTokenizer(dir);
  const renderer = new PromptRenderer(full);
  const texts: string[] = [...(opts.extraTexts ?? [])];
  for (const row of opts.rows) texts.push(renderer.renderText(row, opts.prompt), opts.answerText(row));
  const vocab = { ...DEMO_VOCAB, ...opts.vocab };
  const trimmed = trimVocabulary(full, json, cfg, texts, { keepTopIds: vocab.keepTopIds, padToMultipleOf: vocab.padToMultipleOf });

  writeTokenizerFolder(dir, trimmed.tokenizerJson, trimmed.tokenizerConfig);
  const tok = loadTokenizer(dir);
  const eos = tok.tokenId('<|im_end|>');
  const pad = tok.tokenId('<|endoftext|>');
  if (eos === null || pad === null) throw new Error(`${dir}/tokenizer.json: the trimmed tokenizer lost <|im_end|> or <|endoftext|>; this is a bug in vocabTrim.`);
  const config = demoModelConfig(trimmed.modelVocabSize, eos, pad, { ...DEMO_MODEL, ...opts.shape });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  // Generation stops at either end token, as Qwen3's own generation_config.json says.
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [eos, pad], pad_token_id: pad, do_sample: false }, null, 2) + '\n');
  return { dir, config, tokenizerSize: trimmed.vocabSize, vocabSize: trimmed.modelVocabSize, eosTokenId: eos, padTokenId: pad };
}
