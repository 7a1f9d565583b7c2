// The training run, start to end. GRPO choices (PAPERS.md §1, §2, §4): G samples per row at the policy's own
// temperature; group-relative advantages with TRL's scale_rewards; TRL's loss types and asymmetric clip; no KL unless
// beta > 0 (the reference is the LoRA-off base); optional SFT warm-up on the gold calls first, because GRPO needs a
// start whose groups often hold a correct answer (LEARNING.md); ToolExpander's hard-row substitution when enabled.
//
//   tooltune train --tools tools.json --data train.jsonl --model demo --preset toolexpander
//
// Sections: inputs → run folder → engine → model → base eval → SFT → eval → learnability gate → GRPO loop
// (checkpoint, stop) → final + export.
// Everything written to the run folder is flushed as it happens; a crash marks the run failed and keeps it all.
import { copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EngineClient, EngineCrashedError } from '../engine/client';
import { PROTOCOL_VERSION } from '../engine/protocol';
import { defaultCandidates, formatPreflight, preflight } from '../engine/python';
import { grpoOptimizer, sftCycles, sftOptimizer, type TrainConfig } from './config';
import type { EvalRecord, RunStatus, TrainEvent } from './events';
import { describeLearnability, evaluate } from './evaluation';
import { loadInputs } from './inputs';
import { prepareModel, type PreparedModel } from './modelSource';
import { Policy } from './policy';
import type { Reporter } from './reporter';
import { BatchSampler, type SamplerState } from './sampler';
import { runSft, sftStepBudget } from './sft';
import { grpoStep } from './step';
import { RunWriter } from './runWriter';

export interface TrainInputs { tools: string; data: string; evalData?: string }

export interface TrainRequest {
  config: TrainConfig;
  inputs: TrainInputs;
  /** Folder that receives run folders (default `.tooltune/runs`). */
  runsDir: string;
  /** Resume this run folder from its last checkpoint (config and inputs come from the folder). */
  resumeDir?: string;
  /** With resumeDir: train to this many steps instead of the saved max_steps (--steps). */
  resumeMaxSteps?: number;
  /** Explicit Python (else TOOLTUNE_PYTHON, PATH, /usr/bin/python3). */
  python?: string;
  reporter: Reporter;
  /** Set `.requested` to stop after the current step (SIGINT): checkpoint, then status "stopped". */
  stop: { requested: boolean };
  /** Cache folder for the built-in demo model and hub downloads. */
  cacheDir?: string;
  /** Called with the engine once it runs (tests use it to kill the engine mid-run). */
  onEngine?: (engine: EngineClient) => void;
}

export interface TrainOutcome {
  status: Exclude<RunStatus, 'starting' | 'running' | 'stopping'>; runDir: string | null; finalDir?: string; error?: string;
  /** The model as loaded, before any SFT (eval.base); the same record as firstEval when no SFT ran. */
  baseEval?: EvalRecord;
  /** GRPO's start (after SFT, if any). */
  firstEval?: EvalRecord;
  lastEval?: EvalRecord;
  /** Why GRPO did not run (the start was not learnable: min_start_call_pass_at_k). */
  skippedGrpo?: string;
  steps: number;
}

/** What a checkpoint's trainer_state.json holds: the orchestrator's own state. */
interface TrainerState { step: number; sampler: SamplerState; num_tokens: number; elapsed: number; first_eval?: EvalRecord; base_eval?: EvalRecord }

/** Why GRPO should not start from this evaluation, or undefined when it may. Below `min` call-row pass@k, call-row
 *  groups are almost all wrong and GRPO's only reward spread is on no-call rows: it learns to stop calling. */
export function unlearnableStart(first: EvalRecord | undefined, min: number): string | undefined {
  if (!(min > 0) || !first) return undefined;
  const callPass = first['eval/call_pass_at_k'];
  if (typeof callPass !== 'number' || !Number.isFinite(callPass)) return undefined; // no call rows: nothing to gate on
  if (callPass >= min) return undefined;
  const k = first.k ?? 'k';
  const pct = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
  return `the start is not learnable: pass@${k} on call rows is ${pct(callPass)} (min_start_call_pass_at_k ${pct(min)}), ` +
    `greedy on call rows ${pct(first['eval/call_accuracy'])}, rows with 1–${typeof k === 'number' ? k - 1 : 'k-1'} of ${k} right ${pct(first['eval/learnable_rows'])}; ` +
    'GRPO would only learn from no-call rows and drift to never calling. Start from a stronger model (or a short SFT: "sft": {"steps": N}), or set min_start_call_pass_at_k to 0 to run it anyway';
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'special_tokens_map.json', 'generation_config.json'];

/** Copy the tokenizer files of the source model next to saved weights (HF layout). */
function copyTokenizerFiles(from: string, to: string): void {
  for (const f of TOKENIZER_FILES) {
    const src = join(from, f);
    if (existsSync(src) && !existsSync(join(to, f))) copyFileSync(src, join(to, f));
  }
}

export async function train(req: TrainRequest): Promise<TrainOutcome> {
  const started = Date.now();
  let writer: RunWriter | null = null;
  let engine: EngineClient | null = null;
  const emit = (e: TrainEvent) => {
    req.reporter(e);
    if (!writer) return;
    if (e.type === 'log') writer.log(e.level, e.message);
    else if (e.type === 'phase') writer.log('info', `phase ${e.phase}${e.message ? `: ${e.message}` : ''}`);
    else if (e.type === 'checkpoint') writer.log('info', `checkpoint step ${e.step}: ${e.path}`);
  };
  const log = (level: 'info' | 'warning' | 'error', message: string) => emit({ type: 'log', level, message });
  let step = 0;
  let baseEval: EvalRecord | undefined;
  let firstEval: EvalRecord | undefined;
  let lastEval: EvalRecord | undefined;
  let skippedGrpo: string | undefined;
  try {
    // ---- inputs and run folder
    let cfg = req.config;
    let inputs = req.inputs;
    let resumeFrom: { step: number; path: string } | null = null;
    if (req.resumeDir) {
      writer = RunWriter.open(req.resumeDir);
      const saved = writer.config as TrainConfig & { inputs: TrainInputs };
      cfg = { ...saved, max_steps: req.resumeMaxSteps ?? saved.max_steps };
      inputs = saved.inputs;
      resumeFrom = writer.lastCheckpoint();
      if (!resumeFrom) throw new Error(`${writer.dir}: no complete checkpoint to resume from (checkpoints/step-N/ with trainer_state.json); start a new run instead`);
      const dropped = writer.truncateAfter(resumeFrom.step);
      log('info', `resuming from step ${resumeFrom.step}; dropped records written after that checkpoint: ${JSON.stringify(dropped)}`);
    }
    emit({ type: 'phase', phase: 'preflight' });
    const pf = await preflight(defaultCandidates(req.python), { diskPath: req.runsDir });
    if (!pf.ok) throw new Error(`no usable Python for the engine:\n${formatPreflight(pf)}`);
    for (const p of pf.problems.slice(0)) if (!/cannot import torch|not found/.test(p.message)) log('warning', `${p.message} — ${p.fix}`);
    const data = await loadInputs(inputs);
    for (const w of data.warnings) log('warning', w);
    // Absolute paths in the run's config.json: a resume, "Evaluate Model" or the Runs view may start elsewhere.
    const recorded: TrainInputs = { tools: resolve(inputs.tools), data: resolve(inputs.data), ...(inputs.evalData ? { evalData: resolve(inputs.evalData) } : {}) };
    if (!writer) writer = RunWriter.create(req.runsDir, cfg.name, { ...cfg, inputs: recorded }, cfg.max_steps);
    const runDir = writer.dir;
    emit({ type: 'run_started', run_dir: runDir, name: cfg.name, config: cfg, total_steps: cfg.max_steps, ...(resumeFrom ? { resumed_from_step: resumeFrom.step } : {}) });
    writer.log('info', `python ${pf.python} torch ${pf.torchVersion} device ${pf.device}; ${data.train.length} train rows, ${data.eval.length} eval rows`);
    writer.setStatus({ status: 'running', step: resumeFrom?.step ?? 0, total_steps: cfg.max_steps });

    // ---- engine
    emit({ type: 'phase', phase: 'loading' });
    engine = EngineClient.start({
      python: pf.python!, detached: true,
      onLog: (n) => { if (n.level !== 'debug') writer?.log(n.level, `engine: ${n.message}`); },
      // Per-request progress (e.g. sft_step 1/1) is noise next to our own step events; long tasks are worth showing.
      onProgress: (n) => { if (n.total > 1) req.reporter({ type: 'progress', task: n.task, done: n.done, total: n.total }); },
    });
    req.onEngine?.(engine);
    writer.setStatus({ engine_pid: engine.pid });
    const init = await engine.request('initialize', { protocol_version: PROTOCOL_VERSION, device: cfg.device, dtype: cfg.dtype, seed: cfg.seed,
      ...(cfg.num_threads > 0 ? { num_threads: cfg.num_threads } : {}) });
    writer.log('info', `engine ${init.engine_version} on ${init.device} (${init.device_name}), ${init.dtype}`);

    // ---- model, tokenizer, codec
    const model: PreparedModel = await prepareModel(engine, cfg, data.train, {
      cacheDir: req.cacheDir, resumeCheckpoint: resumeFrom?.path, evalRows: data.eval, onProgress: (task, done, total) => emit({ type: 'progress', task, done, total }),
      log,
    });
    const policy = new Policy(model.renderer, model.codec, cfg, data.train);
    const sampler = new BatchSampler(data.train, cfg.prompts_per_step, cfg.toolexpander, cfg.seed);
    const evalRows = cfg.eval.max_rows ? data.eval.slice(0, cfg.eval.max_rows) : data.eval;
    let numTokens = 0;
    let elapsedBefore = 0;
    const now = () => elapsedBefore + (Date.now() - started) / 1000;

    // `stage: "base"` marks the evaluation before SFT, so it is told apart from GRPO's start at the same step 0.
    const runEval = async (atStep: number, passAtK: boolean, stage?: 'base') => {
      if (!evalRows.length) return undefined;
      emit({ type: 'phase', phase: 'eval', message: `${stage ? `${stage}: ` : ''}${evalRows.length} rows${passAtK && cfg.eval.pass_at_k ? `, pass@${cfg.eval.pass_at_k}` : ''}` });
      const out = await evaluate(engine!, policy, evalRows, {
        passAtK: passAtK ? cfg.eval.pass_at_k : 0, passAtKTemperature: cfg.eval.pass_at_k_temperature, passAtKRows: cfg.eval.pass_at_k_rows, seed: cfg.seed,
        onProgress: (done, total) => emit({ type: 'progress', task: 'eval', done, total }),
      });
      const record = { step: atStep, time: now(), split: 'eval', ...(stage ? { stage } : {}), ...out.scores } as EvalRecord;
      writer!.appendEval(record);
      emit({ type: 'eval', record });
      lastEval = record;
      return record;
    };
    const checkpoint = async (atStep: number) => {
      const state: TrainerState = { step: atStep, sampler: sampler.state, num_tokens: numTokens, elapsed: now(),
        ...(firstEval ? { first_eval: firstEval } : {}), ...(baseEval ? { base_eval: baseEval } : {}) };
      const path = writer!.checkpointDir(atStep);
      await engine!.request('save', { path, kind: 'checkpoint', trainer_state: state });
      emit({ type: 'checkpoint', step: atStep, path });
    };

    if (resumeFrom) {
      const loaded = await engine.request('load_checkpoint', { path: resumeFrom.path });
      const st = loaded.trainer_state as TrainerState;
      step = st.step;
      sampler.restore(st.sampler);
      numTokens = st.num_tokens;
      elapsedBefore = st.elapsed;
      firstEval = st.first_eval;
      baseEval = st.base_eval;
      // The engine restores the optimizer config it was saved with; a longer --steps needs the schedule re-sized.
      if (cfg.max_steps !== (writer.status.total_steps ?? cfg.max_steps)) log('warning', 'max_steps changed on resume: the lr schedule keeps its saved length');
      writer.setStatus({ status: 'running', step, total_steps: cfg.max_steps });
      if (step === 0 && !firstEval) {
        firstEval = await runEval(0, true);
        if (cfg.eval.base && !baseEval && cfg.sft.steps === 0) baseEval = firstEval;
      }
    } else {
      // ---- base evaluation: the model as loaded, zero-shot. Without SFT it is also GRPO's start (evaluated once).
      const sftRuns = sftStepBudget(cfg, data.train.length) > 0;
      if (cfg.eval.base && sftRuns) baseEval = await runEval(0, true, 'base');
      // ---- SFT warm-up
      if (sftRuns) {
        const cycles = sftCycles(cfg);
        const sftTotal = sftStepBudget(cfg, data.train.length);
        const asked = cycles.reduce((a, c) => a + c.steps, 0);
        if (sftTotal < asked) log('info', `SFT capped at ${cfg.sft.max_epochs} epoch${cfg.sft.max_epochs === 1 ? '' : 's'} of ${data.train.length} rows: ${sftTotal} of ${asked} steps`);
        emit({ type: 'phase', phase: 'sft', message: `${sftTotal} steps × ${cfg.sft.batch_size} rows${cycles.length > 1 ? ` in ${cycles.length} cycles` : ''}` });
        // GRPO, and each SFT cycle after the first, start from the weights so far with a fresh optimizer: the engine
        // keeps AdamW's moments and update count across configure_optimizer, which would start the next schedule
        // (warm-up, decay) at the previous step count. Saved under the run (`sft/`): with LoRA it is also the base
        // the adapter and the KL reference sit on.
        const sftDir = join(runDir, 'sft');
        const saveAndReload = async () => {
          await engine!.request('save', { path: sftDir, kind: 'merged' });
          copyTokenizerFiles(model.folder, sftDir); // a complete HF folder: usable as --model for another run
          await engine!.request('load_model', { path: sftDir, lora: cfg.lora });
        };
        const sft = await runSft(engine, policy, data.train, cfg, {
          stop: req.stop,
          beforeCycle: async (cycle, i) => {
            if (i > 0) { await saveAndReload(); writer!.log('info', `SFT cycle ${i + 1}/${cycles.length}: ${cycle.steps} steps from lr ${cycle.learning_rate}, fresh optimizer`); }
            await engine!.request('configure_optimizer', sftOptimizer(cfg, cycle));
          },
          onStep: (s, total, loss) => { emit({ type: 'sft_step', step: s, total, loss }); if (s % 50 === 0 || s === total) writer!.log('info', `sft step ${s}/${total} loss ${loss.toFixed(4)}`); },
        });
        if (sft.steps < sftTotal && !req.stop.requested) log('info', `SFT time budget of ${cfg.sft.max_minutes} min reached after ${sft.steps} of ${sftTotal} steps (loss ${sft.lastLoss.toFixed(4)})`);
        await saveAndReload();
        writer.log('info', `SFT weights saved to ${sftDir}; GRPO starts from them with a fresh optimizer`);
      }
      // Ctrl-C during SFT: checkpoint at once; the resumed run evaluates before its first GRPO step.
      if (!req.stop.requested) firstEval = await runEval(0, true);
      if (cfg.eval.base && !sftRuns) baseEval = firstEval;
      await engine.request('configure_optimizer', grpoOptimizer(cfg));
      await checkpoint(0);
    }

    // ---- learnability of GRPO's start: logged, and below min_start_call_pass_at_k GRPO is skipped
    if (step === 0 && firstEval) {
      const line = describeLearnability(firstEval);
      if (line) log('info', `GRPO's start: ${line}`);
      skippedGrpo = unlearnableStart(firstEval, cfg.min_start_call_pass_at_k);
      if (skippedGrpo) log('warning', `GRPO skipped: ${skippedGrpo}`);
    }

    // ---- GRPO
    if (!skippedGrpo) emit({ type: 'phase', phase: 'grpo', message: `${cfg.max_steps - step} steps × ${cfg.prompts_per_step} rows × ${cfg.num_generations} samples` });
    const grpoDeadline = cfg.max_minutes > 0 ? Date.now() + cfg.max_minutes * 60_000 : Infinity;
    while (!skippedGrpo && step < cfg.max_steps && !req.stop.requested) {
      if (Date.now() >= grpoDeadline) {
        log('info', `GRPO time budget of ${cfg.max_minutes} min reached after ${step} steps`);
        break;
      }
      step++;
      const r = await grpoStep(engine, policy, sampler, step);
      numTokens += r.tokens;
      const metrics = { ...r.metrics, step, time: now(), num_tokens: numTokens };
      writer.appendMetrics(metrics);
      writer.appendRollouts(r.rollouts);
      emit({ type: 'step', metrics });
      emit({ type: 'rollouts', step, count: r.rollouts.length });
      writer.setStatus({ step });
      if (step < cfg.max_steps && cfg.eval.every && step % cfg.eval.every === 0) await runEval(step, false);
      if (step < cfg.max_steps && (req.stop.requested || (cfg.save_steps && step % cfg.save_steps === 0))) await checkpoint(step);
    }
    if (req.stop.requested && step < cfg.max_steps && !skippedGrpo) {
      writer.setStatus({ status: 'stopped', step });
      log('info', `stopped at step ${step}; resume with: tooltune train --resume ${runDir}`);
      emit({ type: 'run_finished', status: 'stopped', run_dir: runDir });
      return { status: 'stopped', runDir, steps: step, baseEval, firstEval, lastEval };
    }

    // ---- final evaluation, weights and export
    // With no GRPO step run (max_steps 0: an SFT-only run) the weights are those of the first evaluation.
    if (step === 0 && firstEval) lastEval = firstEval;
    else await runEval(step, true);
    if (step > 0) await checkpoint(step);
    emit({ type: 'phase', phase: 'export' });
    const finalDir = writer.finalDir;
    await engine.request('save', { path: finalDir, kind: 'merged' });
    copyTokenizerFiles(model.folder, finalDir);
    // An export failure is a warning: the HF folder is complete and `tooltune export --model` can retry.
    const exportOnnx = async (dir: string, what: string, modelPath?: string): Promise<boolean> => {
      try {
        const ex = await engine!.request('export_onnx', { out: dir, ...(modelPath ? { model_path: modelPath } : {}) });
        log('info', `ONNX export of ${what}: ${ex.path} (${(ex.bytes / 1e6).toFixed(1)} MB, ${ex.seconds.toFixed(1)} s)`);
        return true;
      } catch (e) {
        if (e instanceof EngineCrashedError) throw e;
        log('warning', `ONNX export of ${what} failed, skipped (the model in ${dir} is complete; retry with tooltune export --model ${dir}): ${(e as Error).message}`);
        return false;
      }
    };
    // The SFT warm start is the model GRPO began from: exported too, it is what the Testing view's "Base model"
    // profile compares the tuned model with (infer/run-models.ts), i.e. what GRPO changed.
    const sftDir = join(runDir, 'sft');
    if (cfg.export_onnx && await exportOnnx(finalDir, 'the final model') && existsSync(join(sftDir, 'config.json'))) {
      await exportOnnx(sftDir, 'the SFT warm start', sftDir);
    }
    writer.setStatus({ status: 'completed', step, final_dir: finalDir, ...(skippedGrpo ? { skipped_grpo: skippedGrpo } : {}) });
    emit({ type: 'phase', phase: 'done' });
    emit({ type: 'run_finished', status: 'completed', run_dir: runDir, final_dir: finalDir });
    return { status: 'completed', runDir, finalDir, steps: step, baseEval, firstEval, lastEval, ...(skippedGrpo ? { skippedGrpo } : {}) };
  } catch (e) {
    const err = e as Error;
    let message = err.message;
    if (e instanceof EngineCrashedError) message = `${err.message}`;
    else if (engine && !engine.alive) message = `${err.message}\nlast engine stderr lines:\n${engine.lastStderr().join('\n')}`;
    // SIGTERM (or a second Ctrl-C) kills the engine on purpose: the run is stopped, not failed, and resumable from
    // its last checkpoint.
    const status = req.stop.requested && e instanceof EngineCrashedError ? 'stopped' : 'failed';
    if (status === 'stopped') message = `stopped before step ${step} finished; --resume continues from the last checkpoint`;
    if (writer) {
      writer.log(status === 'failed' ? 'error' : 'info', message);
      writer.setStatus({ status, ...(status === 'failed' ? { error: message.split('\n')[0] } : {}) });
    }
    emit({ type: 'run_finished', status, run_dir: writer?.dir ?? '', ...(status === 'failed' ? { error: message } : {}) });
    return { status, runDir: writer?.dir ?? null, ...(status === 'failed' ? { error: message } : {}), steps: step, baseEval, firstEval, lastEval };
  } finally {
    if (engine) await engine.dispose();
  }
}
