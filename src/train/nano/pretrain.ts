// ToolTune Nano's pretraining (issue 11, item 2): generated rows from ever-new random tool domains
// (src/core/synth/) streamed through the engine's own SFT path (`sft_step`: cross-entropy on the answer), with the
// project's own chat template and codec, so Nano learns exactly the prompt → call mapping the demo later asks of it.
//
//   tooltune pretrain --out .tooltune/nano-pretrain --minutes 60 --seed 1     (resume: run it again)
//
// Choices (LEARNING.md, "A first try at a generalist"): a curriculum (one small tool first, then 3–8 tools with
// distractors), a fresh domain every few rows so names and values must be read from the prompt, subword pieces from
// the real Qwen3 tokenizer, RoPE. Verbatim copying is measured as it forms (probe.ts). Each step's rows come from a
// generator seeded by (seed, step), so a resumed run sees exactly the rows an uninterrupted one would.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getCodec } from '../../core/codecs';
import { PromptRenderer } from '../../core/prompt';
import { Rng } from '../../core/rng';
import { copyRow, corpusRows, DEFAULT_MIX } from '../../core/synth';
import { loadTokenizer } from '../../core/tokenizer';
import type { DatasetRow } from '../../core/types';
import { EngineClient } from '../../engine/client';
import { PROTOCOL_VERSION, type ModelConfig } from '../../engine/protocol';
import { defaultCandidates, formatPreflight, preflight } from '../../engine/python';
import { createDemoFolder } from '../demo/demoFolder';
import { NANO_PRETRAIN, NANO_SHAPE, NANO_VOCAB, type PretrainRecipe } from './pretrainRecipe';
import { probe, type ProbeResult } from './probe';

export interface PretrainRequest {
  /** The pretraining run folder (model/, checkpoints/, metrics.jsonl, probe.jsonl). Resumed when it exists. */
  out: string;
  seed: number;
  /** Wall-clock budget of this part, in minutes (0 = until recipe.totalSteps). */
  minutes: number;
  /** Stop at this step (default recipe.totalSteps). */
  maxSteps?: number;
  recipe?: Partial<PretrainRecipe>;
  shape?: Partial<typeof NANO_SHAPE>;
  python?: string;
  /** Engine threads (default: the engine's choice, all cores). */
  threads?: number;
  stop?: { requested: boolean };
  log: (message: string) => void;
  onStep?: (s: { step: number; total: number; loss: number; tokens: number; rows: number; seconds: number }) => void;
}

export interface PretrainOutcome { step: number; tokens: number; rows: number; seconds: number; lastProbe?: ProbeResult; finalDir: string }

/** Tokens per micro-batch (see `prepare` in `pretrain`): ~2–3 per step of 16 rows at full level. */
const MICRO_BATCH_TOKENS = 1536;

/** What a checkpoint's trainer_state.json holds. */
interface PretrainState { step: number; tokens: number; rows: number; seconds: number; seed: number; recipe: PretrainRecipe }

/** Curriculum level of a step: 0 → 1 linearly over `curriculumSteps`. */
export function levelAt(step: number, recipe: PretrainRecipe): number {
  return recipe.curriculumSteps > 0 ? Math.min(1, step / recipe.curriculumSteps) : 1;
}

/** Share of pure copy rows at a step: `copyStart` at step 0, falling linearly to `copyFloor` at `copySteps`. */
export function copyShareAt(step: number, recipe: PretrainRecipe): number {
  if (recipe.copySteps <= 0) return recipe.copyFloor;
  return Math.max(recipe.copyFloor, recipe.copyStart + (recipe.copyFloor - recipe.copyStart) * Math.min(1, step / recipe.copySteps));
}

/** The rows of one step: deterministic in (seed, step). */
export function stepRows(seed: number, step: number, recipe: PretrainRecipe): DatasetRow[] {
  const level = levelAt(step, recipe);
  const s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(step + 1, 0xc2b2ae35)) >>> 0;
  // The copy drill is most of the easy start and a tenth of the full mix (src/core/synth/rows.ts).
  const mix = { ...DEFAULT_MIX, copyDrill: 0.3 - 0.2 * level };
  const rows = [...corpusRows(s, recipe.batchSize, { rowsPerDomain: recipe.rowsPerDomain, level: () => level, mix })];
  // Pure copy rows (rows.ts `copyRow`) replace a share of the batch: most of it at the start, a little throughout.
  const rng = new Rng(s ^ 0x2c1b3c6d);
  const share = copyShareAt(step, recipe);
  for (let i = 0; i < rows.length; i++) if (rng.chance(share)) rows[i] = copyRow(rng, `copy-${s}-${i}`);
  return rows.map((r) => ({ id: r.id, messages: r.messages, tools: r.tools ?? [], expected: r.expected }));
}

/** A fingerprint of the row stream (sha256 over the rows of a few steps across the curriculum): recorded with the
 *  shipped Nano, so a test notices when a change to the generator would make the rebuild command train on other rows. */
export function streamFingerprint(seed: number, recipe: PretrainRecipe): string {
  const h = createHash('sha256');
  for (const s of [0, 1, 50, 500, 999, 1000, 2500, 4000, 7000]) h.update(JSON.stringify(stepRows(seed, s, recipe)));
  return h.digest('hex');
}

/** Rows that decide Nano's vocabulary (with the top Qwen3 pieces): a fixed sample of the generator at every level. */
function vocabularyRows(seed: number, recipe: PretrainRecipe): DatasetRow[] {
  const out: DatasetRow[] = [];
  for (let k = 0; k < 200; k++) out.push(...stepRows(seed + 7919, k * 97, recipe));
  return out;
}

/** Steps of the checkpoints under `dir/checkpoints` (complete ones: with trainer_state.json), newest first. */
function checkpointSteps(dir: string): number[] {
  const root = join(dir, 'checkpoints');
  if (!existsSync(root)) return [];
  return readdirSync(root).map((n) => /^step-(\d+)$/.exec(n)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1]))
    .filter((s) => existsSync(join(root, `step-${s}`, 'trainer_state.json'))).sort((a, b) => b - a);
}

function lastCheckpoint(dir: string): string | null {
  const [newest] = checkpointSteps(dir);
  return newest === undefined ? null : join(dir, 'checkpoints', `step-${newest}`);
}

/** Keep the newest `keep` checkpoints (weights + AdamW state are ~3× the model each). */
function pruneCheckpoints(dir: string, keep: number): void {
  for (const s of checkpointSteps(dir).slice(keep)) rmSync(join(dir, 'checkpoints', `step-${s}`), { recursive: true, force: true });
}

export async function pretrain(req: PretrainRequest): Promise<PretrainOutcome> {
  const dir = resolve(req.out);
  mkdirSync(dir, { recursive: true });
  const recipeFile = join(dir, 'recipe.json');
  const recipe: PretrainRecipe = existsSync(recipeFile)
    ? JSON.parse(readFileSync(recipeFile, 'utf8')).recipe as PretrainRecipe
    : { ...NANO_PRETRAIN, ...req.recipe };
  const shape = { ...NANO_SHAPE, ...req.shape };
  const modelDir = join(dir, 'model');
  const codec = getCodec('hermes');

  if (!existsSync(join(modelDir, 'config.json'))) {
    req.log('creating the Nano folder (tokenizer trimmed to the top Qwen3 pieces and the generator\'s text)…');
    createDemoFolder(modelDir, {
      rows: vocabularyRows(req.seed, recipe), answerText: (r) => codec.format(r.expected),
      shape, vocab: NANO_VOCAB, toolDescriptions: true, briefInstructions: true,
    });
    writeFileSync(recipeFile, JSON.stringify({ seed: req.seed, recipe, shape, vocab: NANO_VOCAB }, null, 2) + '\n');
  }
  const renderer = new PromptRenderer(loadTokenizer(modelDir));

  const pf = await preflight(defaultCandidates(req.python), { diskPath: dir });
  if (!pf.ok) throw new Error(`no usable Python for the engine:\n${formatPreflight(pf)}`);
  const engine = EngineClient.start({ python: pf.python!, detached: true, onLog: (n) => { if (n.level === 'warning' || n.level === 'error') req.log(`engine: ${n.message}`); } });
  try {
    const init = await engine.request('initialize', { protocol_version: PROTOCOL_VERSION, device: 'auto', dtype: 'auto', seed: req.seed,
      ...(req.threads ? { num_threads: req.threads } : {}) });
    req.log(`engine on ${init.device} (${init.device_name}), ${init.dtype}`);
    let st: PretrainState = { step: 0, tokens: 0, rows: 0, seconds: 0, seed: req.seed, recipe };
    const resumeFrom = lastCheckpoint(dir);
    if (resumeFrom) {
      const loaded = await engine.request('load_checkpoint', { path: resumeFrom });
      st = loaded.trainer_state as PretrainState;
      req.log(`resumed from ${resumeFrom} (step ${st.step}, ${(st.tokens / 1e6).toFixed(2)}M tokens, ${(st.seconds / 60).toFixed(1)} min so far)`);
    } else {
      const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as ModelConfig;
      const info = await engine.request('init_model', { config, out: modelDir, seed: req.seed });
      req.log(`Nano initialised: ${info.num_parameters.toLocaleString('en')} parameters`);
      await engine.request('configure_optimizer', {
        lr: recipe.lr, weight_decay: 0.01, betas: [0.9, 0.95], max_grad_norm: 1.0, schedule: 'cosine',
        warmup_steps: recipe.warmupSteps, total_steps: recipe.totalSteps,
      });
    }
    const maxSteps = Math.min(req.maxSteps ?? recipe.totalSteps, recipe.totalSteps);
    const deadline = req.minutes > 0 ? Date.now() + req.minutes * 60_000 : Infinity;
    const started = Date.now();
    const secondsBefore = st.seconds;
    const probeRows = stepRows(req.seed + 104729, 1_000_000, { ...recipe, batchSize: recipe.probeRows, curriculumSteps: 0 });
    let lastProbe: ProbeResult | undefined;
    const save = async () => {
      st.seconds = secondsBefore + (Date.now() - started) / 1000;
      await engine.request('save', { path: join(dir, 'checkpoints', `step-${st.step}`), kind: 'checkpoint', trainer_state: st });
      pruneCheckpoints(dir, 2);
    };
    const runProbe = async () => {
      lastProbe = await probe(engine, renderer, codec, probeRows);
      appendFileSync(join(dir, 'probe.jsonl'), JSON.stringify({ step: st.step, tokens: st.tokens, ...lastProbe }) + '\n');
      req.log(`probe at step ${st.step}: exact ${(100 * lastProbe.accuracy).toFixed(1)}%, call rows ${(100 * lastProbe.call_accuracy).toFixed(1)}%, ` +
        `copied values ${(100 * lastProbe.copy_rate).toFixed(1)}%, names ${(100 * lastProbe.name_rate).toFixed(1)}%, format ${(100 * lastProbe.format_valid).toFixed(1)}%`);
    };
    // The next step's rows are rendered while the engine runs this one (tokenizing is Node's work, the step torch's).
    // Sorted by length and sent with a small micro-batch budget: the engine pads each micro-batch to its longest
    // prompt, and one 12-tool prompt (~450 tokens) among 16 rows of ~150 padded the whole step to 7k tokens (step
    // time 1.5 → 2.3 s at full level). The loss is a sum over the step's answer tokens: order does not change it.
    const prepare = (step: number) => stepRows(req.seed, step, recipe).map((r) => ({
      prompt_ids: renderer.promptIds(r), target_ids: renderer.sftTargetIds(codec.format(r.expected)),
    })).sort((a, b) => a.prompt_ids.length + a.target_ids.length - b.prompt_ids.length - b.target_ids.length);
    let next = prepare(st.step);
    while (st.step < maxSteps && Date.now() < deadline && !req.stop?.requested) {
      const examples = next;
      const pending = engine.request('sft_step', { examples, micro_batch_tokens: MICRO_BATCH_TOKENS });
      next = prepare(st.step + 1);
      const r = await pending;
      st.step++;
      st.rows += examples.length;
      st.tokens += examples.reduce((a, e) => a + e.prompt_ids.length + e.target_ids.length, 0);
      const seconds = secondsBefore + (Date.now() - started) / 1000;
      appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify({ step: st.step, loss: r.loss, grad_norm: r.grad_norm, learning_rate: r.learning_rate,
        num_tokens: st.tokens, target_tokens: r.num_tokens, rows: st.rows, level: levelAt(st.step, recipe), time: seconds, step_time: r.seconds }) + '\n');
      req.onStep?.({ step: st.step, total: maxSteps, loss: r.loss, tokens: st.tokens, rows: st.rows, seconds });
      if (st.step % recipe.saveEvery === 0) await save();
      if (st.step % recipe.probeEvery === 0) await runProbe();
    }
    await save();
    if (!lastProbe || st.step % recipe.probeEvery !== 0) await runProbe();
    const finalDir = join(dir, 'final');
    // Shipped in bf16 (half the bytes; the engine loads it back into fp32); the fp32 weights and AdamW state stay
    // in the checkpoints, which is what a resumed run continues from.
    await engine.request('save', { path: finalDir, kind: 'merged', dtype: 'bfloat16' });
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) {
      writeFileSync(join(finalDir, f), readFileSync(join(modelDir, f)));
    }
    return { step: st.step, tokens: st.tokens, rows: st.rows, seconds: st.seconds, lastProbe, finalDir };
  } finally {
    await engine.dispose();
  }
}
