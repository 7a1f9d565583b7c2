// Where the policy comes from: `--model` is a local Hugging Face folder, a Hugging Face id (fetched into the standard
// HF cache with @huggingface/hub), "nano" (ToolTune Nano, the pretrained model shipped in models/nano/, nanoModel.ts)
// or "demo" (the built-in demo model, random weights, created on first use, demoModel.ts).
// Returns the folder, its tokenizer (core/tokenizer.ts: a folder without a chat template is a clear error), the
// prompt renderer and the codec (from the model family unless the config names one).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { codecForModelType, getCodec } from '../core/codecs';
import { PromptRenderer } from '../core/prompt';
import { loadTokenizer, type Tokenizer } from '../core/tokenizer';
import type { Codec, DatasetRow } from '../core/types';
import type { EngineClient } from '../engine/client';
import type { TrainConfig } from './config';
import { prepareDemoModel } from './demoModel';
import { downloadFromHub, looksLikeHubId } from './hub';
import { NANO_MODEL, nanoModelDir } from './nanoModel';

export interface PreparedModel {
  folder: string;
  modelType: string;
  tokenizer: Tokenizer;
  renderer: PromptRenderer;
  codec: Codec;
  source: 'folder' | 'hub' | 'demo' | 'nano';
}

export interface PrepareOptions {
  cacheDir?: string;
  /** Resuming: the checkpoint loads the weights, so only the folder and tokenizer are resolved here. */
  resumeCheckpoint?: string;
  /** Eval rows, so the demo's trimmed vocabulary also covers them. */
  evalRows?: readonly DatasetRow[];
  onProgress?: (task: string, done: number, total: number) => void;
  log?: (level: 'info' | 'warning', message: string) => void;
}

/** ToolTune's cache: `$TOOLTUNE_CACHE`, else `~/.cache/tooltune`. */
export function defaultCacheDir(): string {
  return process.env.TOOLTUNE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tooltune');
}

export function readModelType(folder: string): string {
  const file = join(folder, 'config.json');
  let cfg: { model_type?: unknown };
  try { cfg = JSON.parse(readFileSync(file, 'utf8')) as { model_type?: unknown }; } catch (e) {
    throw new Error(`${file}: cannot be read as JSON (${(e as Error).message}); a model folder needs the Hugging Face config.json`);
  }
  if (typeof cfg.model_type !== 'string') throw new Error(`${file}: no "model_type"; expected a Hugging Face config.json (llama, qwen2 or qwen3)`);
  return cfg.model_type;
}

/** Resolve the model's folder without touching the engine (folder or hub id). */
export async function resolveModelFolder(spec: string, opts: PrepareOptions = {}): Promise<{ folder: string; source: 'folder' | 'hub' | 'nano' }> {
  if (spec === NANO_MODEL) return { folder: nanoModelDir(), source: 'nano' };
  const local = resolve(spec);
  if (existsSync(join(local, 'config.json'))) return { folder: local, source: 'folder' };
  if (existsSync(local)) throw new Error(`${local}: a folder without config.json; point --model at a Hugging Face model folder (config.json, model.safetensors, tokenizer.json, tokenizer_config.json)`);
  if (!looksLikeHubId(spec)) throw new Error(`--model ${spec}: no such folder, and not a Hugging Face id (org/name); use a model folder, an id such as Qwen/Qwen2.5-0.5B-Instruct, "nano" or "demo"`);
  const folder = await downloadFromHub(spec, { onProgress: opts.onProgress });
  return { folder, source: 'hub' };
}

function finish(folder: string, cfg: TrainConfig, source: PreparedModel['source']): PreparedModel {
  const modelType = readModelType(folder);
  const tokenizer = loadTokenizer(folder);
  const codec = cfg.codec ? getCodec(cfg.codec) : codecForModelType(modelType);
  return { folder, modelType, tokenizer, renderer: new PromptRenderer(tokenizer), codec, source };
}

/** Resolve the model and load it into the engine (unless resuming, where the checkpoint loads it). */
export async function prepareModel(engine: EngineClient, cfg: TrainConfig, trainRows: readonly DatasetRow[], opts: PrepareOptions = {}): Promise<PreparedModel> {
  if (cfg.model === 'demo') {
    const folder = await prepareDemoModel(engine, cfg, [...trainRows, ...(opts.evalRows ?? [])], {
      cacheDir: opts.cacheDir ?? defaultCacheDir(), load: !opts.resumeCheckpoint, log: opts.log,
    });
    return finish(folder, cfg, 'demo');
  }
  const { folder, source } = await resolveModelFolder(cfg.model, opts);
  // Check the tokenizer before spending time on the weights.
  const prepared = finish(folder, cfg, source);
  if (!opts.resumeCheckpoint) {
    const info = await engine.request('load_model', { path: folder, lora: cfg.lora });
    opts.log?.('info', `model ${folder}: ${info.model_type}, ${info.num_parameters.toLocaleString('en')} parameters, ${info.trainable_parameters.toLocaleString('en')} trainable`);
  }
  return prepared;
}
