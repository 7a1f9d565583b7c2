// What a run folder says about the model in its `final/`: the codec it was trained with (the run's config.json may
// name one other than the family default, e.g. paper 1's strict `json`) and the base model it started from (the
// Test Explorer's "Base model" profile compares against it). ARCHITECTURE.md "Run folder": config.json + final/.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { CodecName } from '../core/types';
import { VARIANT_FILE, type OnnxVariant } from './model-folder';

function runConfig(modelDir: string): Record<string, unknown> | undefined {
  if (basename(resolve(modelDir)) !== 'final') return undefined;
  const file = join(dirname(resolve(modelDir)), 'config.json');
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The export ghost text runs: the int8-head one when there is one (`tooltune export --int8`; same top tokens in the
 *  parity tests, ~1% logit error), for speed; the Test Explorer keeps fp32 for exact verdicts. */
export function ghostTextVariant(modelDir: string): OnnxVariant {
  return existsSync(join(modelDir, 'onnx', VARIANT_FILE.int8)) ? 'int8' : 'fp32';
}

/** The codec the run trained with, when the model folder is a run's final/ and its config names one. */
export function runCodec(modelDir: string): CodecName | undefined {
  const c = runConfig(modelDir)?.codec;
  return typeof c === 'string' ? (c as CodecName) : undefined;
}

/**
 * The exported base model of the run whose final/ is `modelDir`: the run's SFT warm start (`sft/`, exported at the
 * end of training: the model GRPO started from, so the comparison shows what GRPO changed), else the model the run
 * started from. Throws with the fix when neither can be used: the run started from a hub id or the demo model (no
 * local folder), or the base folder has no ONNX export.
 */
export function baseModelDir(modelDir: string, workspaceRoot?: string): string {
  const cfg = runConfig(modelDir);
  if (!cfg) throw new Error(`${modelDir} is not a run's final/ folder with a config.json next to it; the base model is unknown`);
  const sft = join(dirname(resolve(modelDir)), 'sft');
  if (existsSync(join(sft, 'onnx', 'model.onnx'))) return sft;
  if (existsSync(join(sft, 'config.json'))) {
    throw new Error(`the run's SFT warm start ${sft} has no ONNX export; run \`tooltune export --model ${sft}\` once`);
  }
  const model = cfg.model;
  if (typeof model !== 'string' || !model) throw new Error(`${join(dirname(resolve(modelDir)), 'config.json')}: "model" is missing`);
  // ToolTune Nano (models/nano/) ships as weights only, kept as built: its ONNX export lives in a folder of the user's.
  if (model === 'nano') {
    throw new Error('the run started from ToolTune Nano ("nano") without an SFT warm start; run `tooltune export --model nano --out <folder>` ' +
      'once and point the run\'s config.json "model" at that folder');
  }
  const candidates = isAbsolute(model) ? [model] : [workspaceRoot && resolve(workspaceRoot, model), resolve(model)].filter((x): x is string => !!x);
  const dir = candidates.find((d) => existsSync(join(d, 'config.json')));
  if (!dir) {
    throw new Error(`the run started from "${model}", which is not a local model folder; download or locate it, then ` +
      `run \`tooltune export --model <folder>\` and point the run's config.json "model" at that folder`);
  }
  if (!existsSync(join(dir, 'onnx', 'model.onnx'))) {
    throw new Error(`the base model ${dir} has no ONNX export; run \`tooltune export --model ${dir}\` once`);
  }
  return dir;
}
