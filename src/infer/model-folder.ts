// What the inference side needs from an exported model folder (a run's `final/`, or `tooltune export --out`):
// config.json (model_type, layer/head shapes for the KV cache), tokenizer files, and `onnx/model.onnx` (plus
// optional quantised variants, named as transformers.js names them: `model_<suffix>.onnx`). Every missing piece is
// an error naming the file and the command that makes it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** fp32 = `onnx/model.onnx`; int8 = `onnx/model_int8.onnx` (the tied head/embedding quantised, see onnx_export.py). */
export type OnnxVariant = 'fp32' | 'int8';
export const VARIANT_FILE: Record<OnnxVariant, string> = { fp32: 'model.onnx', int8: 'model_int8.onnx' };

/** Which export file, and which version of it (size + mtime): what a cached load or a cached answer depends on. */
export function exportFingerprint(onnxPath: string): string {
  const st = statSync(onnxPath);
  return `${onnxPath}:${st.size}:${st.mtimeMs}`;
}

export interface ModelFolder {
  dir: string;
  modelType: string;
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  /** eos ids from config.json / generation_config.json (the tokenizer's end-of-turn ids are added by the caller). */
  eosIds: number[];
  /** absolute path of the chosen ONNX file */
  onnxPath: string;
  variant: OnnxVariant;
  /** ToolTune's own fields in config.json, e.g. the codec the model was trained with. */
  tooltune: { codec?: string };
  /** identity of the files (path + mtime + size), so a cached model reloads when the export changes */
  fingerprint: string;
}

export class ModelFolderError extends Error {
  constructor(message: string) { super(message); this.name = 'ModelFolderError'; }
}

function num(cfg: Record<string, unknown>, key: string, file: string): number {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ModelFolderError(`${file}: "${key}" must be a positive integer (got ${JSON.stringify(v)}). ` +
      'Re-export the model with `tooltune export --model <folder>` so config.json is complete.');
  }
  return v;
}

function ids(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}

/** Reads and checks an exported model folder. Throws ModelFolderError naming the file and the fix. */
export function readModelFolder(dir: string, variant: OnnxVariant = 'fp32'): ModelFolder {
  const abs = resolve(dir);
  const cfgFile = join(abs, 'config.json');
  if (!existsSync(cfgFile)) {
    throw new ModelFolderError(`${cfgFile}: not found. Point ToolTune at a model folder (a run's final/ folder, ` +
      'or the output of `tooltune export`).');
  }
  let cfg: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(readFileSync(cfgFile, 'utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    cfg = parsed as Record<string, unknown>;
  } catch (e) {
    throw new ModelFolderError(`${cfgFile}: invalid JSON (${(e as Error).message}). Re-export the model.`);
  }
  if (typeof cfg.model_type !== 'string') {
    throw new ModelFolderError(`${cfgFile}: "model_type" is missing. transformers.js needs it; re-export the model.`);
  }
  const heads = num(cfg, 'num_attention_heads', cfgFile);
  const headDim = typeof cfg.head_dim === 'number' ? cfg.head_dim : num(cfg, 'hidden_size', cfgFile) / heads;
  const onnxPath = join(abs, 'onnx', VARIANT_FILE[variant]);
  if (!existsSync(onnxPath)) {
    const hint = variant === 'fp32'
      ? `run \`tooltune export --model ${abs}\` to write it`
      : `run \`tooltune export --model ${abs} --int8\`, or use the fp32 model`;
    throw new ModelFolderError(`${onnxPath}: not found; ${hint}.`);
  }
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
    if (!existsSync(join(abs, f))) {
      throw new ModelFolderError(`${join(abs, f)}: not found. The model folder needs the tokenizer files next to ` +
        'config.json (copy them from the base model folder).');
    }
  }
  let eos = ids(cfg.eos_token_id);
  const genFile = join(abs, 'generation_config.json');
  if (existsSync(genFile)) {
    try { eos = [...new Set([...eos, ...ids((JSON.parse(readFileSync(genFile, 'utf8')) as Record<string, unknown>).eos_token_id)])]; }
    catch { /* generation_config.json is optional metadata; a broken one is ignored like transformers.js does */ }
  }
  const tt = (cfg.tooltune && typeof cfg.tooltune === 'object' ? cfg.tooltune : {}) as Record<string, unknown>;
  return {
    dir: abs, modelType: cfg.model_type, numLayers: num(cfg, 'num_hidden_layers', cfgFile),
    numKvHeads: typeof cfg.num_key_value_heads === 'number' ? cfg.num_key_value_heads : heads,
    headDim, vocabSize: num(cfg, 'vocab_size', cfgFile), eosIds: eos, onnxPath, variant,
    tooltune: typeof tt.codec === 'string' ? { codec: tt.codec } : {},
    fingerprint: exportFingerprint(onnxPath),
  };
}
