// Evaluate a model as it stands, with the engine (no training): greedy answers and sampled pass@k on a dataset, the
// same prompts, decoding and judging as a training run's evaluation (evaluation.ts). `tooltune eval --model
// nano|DIR|hf-id --samples K` uses it, so anyone can check how learnable a start is before spending a GRPO run.
//
//   const r = await evaluateModel('nano', rows, { samples: 8, maxNewTokens: 128 });
//   r.scores['eval/pass_at_k'], r.scores['eval/learnable_rows'], r.answers[0].completion
import { PROTOCOL_VERSION } from '../engine/protocol';
import { EngineClient } from '../engine/client';
import { defaultCandidates, formatPreflight, preflight } from '../engine/python';
import type { CodecName, DatasetRow, MatchMode } from '../core/types';
import { resolveConfig } from './config';
import { evaluate, type EvalOutcome } from './evaluation';
import { prepareModel } from './modelSource';
import { NANO_MODEL, nanoModelDir } from './nanoModel';
import { Policy } from './policy';

export interface EvaluateModelOptions {
  /** k samples per row for pass@k (0 = greedy only). */
  samples?: number;
  temperature?: number;
  maxNewTokens?: number;
  seed?: number;
  match?: MatchMode;
  /** null: the model family's codec. */
  codec?: CodecName | null;
  python?: string;
  onProgress?: (done: number, total: number) => void;
  log?: (message: string) => void;
}

export interface ModelEvaluation extends EvalOutcome { folder: string; codec: string; device: string }

/** `spec` is "nano", a model folder or a Hugging Face id (as `--model` takes them; not "demo", which is random). */
export async function evaluateModel(spec: string, rows: readonly DatasetRow[], opts: EvaluateModelOptions = {}): Promise<ModelEvaluation> {
  if (spec === 'demo') throw new Error('"demo" is a model created with random weights for a training run; evaluate a run\'s final/ folder, "nano" or a model folder');
  const cfg = resolveConfig({
    model: spec, codec: opts.codec ?? null, seed: opts.seed ?? 0, max_completion_length: opts.maxNewTokens ?? 256, lora: null,
  });
  if (spec === NANO_MODEL) nanoModelDir(); // a missing models/nano/ is said before Python starts
  const pf = await preflight(defaultCandidates(opts.python));
  if (!pf.ok || !pf.python) throw new Error(`no usable Python for the engine:\n${formatPreflight(pf)}`);
  const engine = EngineClient.start({ python: pf.python, onLog: (n) => { if (n.level === 'warning' || n.level === 'error') opts.log?.(`engine: ${n.message}`); } });
  try {
    const init = await engine.request('initialize', { protocol_version: PROTOCOL_VERSION, device: cfg.device, dtype: cfg.dtype, seed: cfg.seed });
    const model = await prepareModel(engine, cfg, [], { log: (_level, m) => opts.log?.(m) });
    const policy = new Policy(model.renderer, model.codec, cfg, []);
    const out = await evaluate(engine, policy, rows, {
      passAtK: opts.samples ?? 0, passAtKTemperature: opts.temperature ?? 1.0, seed: cfg.seed, match: opts.match, onProgress: opts.onProgress,
    });
    return { ...out, folder: model.folder, codec: model.codec.name, device: init.device };
  } finally {
    await engine.dispose();
  }
}
