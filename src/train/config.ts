// One typed config for a ToolTune training run (STYLE.md, after TRL's GRPOConfig): every field has its default and a
// one-line reason, papers cited where a number came from one. Presets change a few fields; `validateConfig` rejects
// invalid combinations naming the field. Loading from `.tooltune/config.json` (with line:column) is in configFile.ts.
//
// Field names follow TRL where TRL has the concept (num_generations, learning_rate, lr_scheduler_type, beta,
// epsilon, epsilon_high, loss_type, scale_rewards, max_completion_length, mask_truncated_completions, temperature)
// so users can carry their settings over.
import type { CodecName, RewardName } from '../core/types';
import type { LossType, OptimizerConfig } from '../engine/protocol';
import { DEMO_GRPO, DEMO_SFT } from './demo/recipe';
import { NANO_GRPO, NANO_SFT } from './nano/recipe';

export type PresetName = 'default' | 'slm-paper' | 'toolexpander' | 'demo' | 'nano';
export const PRESETS: readonly PresetName[] = ['default', 'slm-paper', 'toolexpander', 'demo', 'nano'];

export interface LoraSettings { r: number; alpha: number; dropout: number; target_modules: string[] }

export interface SftSettings {
  /** Optimizer steps of supervised warm-up on the gold calls (formatted by the codec); 0 = none. */
  steps: number;
  /** Rows per SFT step. */
  batch_size: number;
  learning_rate: number;
  lr_scheduler_type: OptimizerConfig['schedule'];
  warmup_steps: number;
  /** Wall-clock budget for the warm-up in minutes (0 = none): the demo must fit its 20 minutes on a busy CPU. */
  max_minutes: number;
  /** Further cycles after the first (warm restarts), each with its own schedule from a fresh AdamW state. On the demo
   *  model a second cosine cycle is where argument copying took off (src/train/demo/RESULTS.md, runs S3c/S3d). */
  restarts: SftCycle[];
  /** Cap on the whole warm-up in epochs of the train rows (0 = none): from a pretrained start more than about one
   *  epoch of SFT costs RL its transfer (Jin et al., arXiv 2509.12235; ToolRL, arXiv 2504.13958). */
  max_epochs: number;
}

/** One warm-restart cycle of SFT (the schedule type is `sft.lr_scheduler_type`). */
export interface SftCycle { steps: number; learning_rate: number; warmup_steps: number }

export interface EvalSettings {
  /** Greedy evaluation every N GRPO steps (also before training and at the end); 0 = only before and after. */
  every: number;
  /** Evaluate on at most this many eval rows (0 = all). LEARNING.md: n ≥ 200 keeps one standard error ≤ ~3 points. */
  max_rows: number;
  /** Sampled pass@k at the start and the end (0 = off). */
  pass_at_k: number;
  /** Sampling temperature for pass@k. */
  pass_at_k_temperature: number;
  /** pass@k on at most this many of the evaluated rows (0 = all): k samples per row cost k× a greedy pass. */
  pass_at_k_rows: number;
  /** Also evaluate the model as loaded, before any SFT (`base`, zero-shot): what a pretrained start can already do.
   *  Without SFT the start's evaluation is that one; with random weights (the demo model) it tells nothing. */
  base: boolean;
}

export interface ToolExpanderSettings {
  /** Dynamic multi-round hard sampling (ToolExpander, arXiv 2510.07737). */
  enabled: boolean;
  /** A row is hard after this many rollouts with none correct (paper: 10, accumulated over rounds). */
  hard_after_rollouts: number;
  /** Worked examples added to a hard row's prompt (the paper leaves it open; 2 keeps prompts short). */
  few_shot: number;
  /** Rounds a hard row is re-queued with demonstrations before it is set aside. */
  max_rounds: number;
  /** At most this share of a step's rows are hard-row substitutions (keeps fresh data flowing). */
  max_substitution_fraction: number;
  /** Self-Exemplifying Thinking: invite the model to write and check its own example first (see selfExemplify.ts). */
  self_exemplify: boolean;
  /** Reward for a valid self-written example (paper: +0.01). */
  self_exemplify_bonus: number;
}

export interface TrainConfig {
  /** Run name; the folder is `<out>/<name>-<timestamp>`. */
  name: string;
  /** Model folder (HF layout), a Hugging Face id, "demo" (built here, random weights) or "nano" (shipped, pretrained). */
  model: string;
  /** Tool-call format; null = chosen from the model family (codecForModelType). */
  codec: CodecName | null;
  /** Reward function (PAPERS.md §1 slm-paper, §3 toolrl, binary = Tool-N1 exact match). */
  reward: RewardName;
  seed: number;
  /** GRPO optimizer steps. */
  max_steps: number;
  /** Wall-clock budget for the GRPO phase in minutes (0 = none); the run then ends normally with fewer steps. */
  max_minutes: number;
  /** GRPO starts only when the start's pass@k on call rows (eval/call_pass_at_k) is at least this (0 = always).
   *  Below it call-row groups are nearly all wrong, the reward spread left is on no-call rows, and GRPO drifts to
   *  never calling (issue 11); the run then ends after its start evaluation, GRPO skipped with the reason. */
  min_start_call_pass_at_k: number;
  /** Dataset rows per step; each gets num_generations samples. */
  prompts_per_step: number;
  /** G, samples per prompt (TRL default 8; paper 1 uses 8). */
  num_generations: number;
  /** TRL's μ: optimizer updates per generated batch (default 1). Above 1 the sampling-time policy's log-probs are
   *  computed once before the first update and the PPO ratio/clip applies to the later ones (PAPERS.md §4). */
  num_iterations: number;
  /** Longest completion sampled; tool calls are short. */
  max_completion_length: number;
  /** Sampling temperature (TRL default 1.0: the policy's own distribution keeps the ratio exact). */
  temperature: number;
  top_p: number;
  top_k: number;
  learning_rate: number;
  lr_scheduler_type: OptimizerConfig['schedule'];
  warmup_steps: number;
  /** cosine_with_restarts cycles. */
  num_cycles: number;
  /** exponential decay factor per step (ToolExpander's damping of oscillations). */
  gamma: number;
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  max_grad_norm: number;
  /** KL weight (TRL default 0.0; ToolExpander uses none; > 0 adds the k3 estimator against the LoRA-off base). */
  beta: number;
  /** Lower clip (TRL `epsilon` 0.2, from PPO). */
  epsilon: number;
  /** Upper clip (TRL default = epsilon; DAPO/ToolExpander raise it to 0.28 to keep exploring). */
  epsilon_high: number;
  loss_type: LossType;
  /** Reward scaling of advantages (TRL "group"; "none" = Dr. GRPO). */
  scale_rewards: 'group' | 'batch' | 'none';
  /** Drop truncated completions from the loss (DAPO). */
  mask_truncated_completions: boolean;
  /** LoRA adapter; null = full fine-tuning (small models on CPU). Paper 1: r 64. */
  lora: LoraSettings | null;
  /** Token budget per micro-batch in the update pass. */
  micro_batch_tokens: number;
  /** Save a checkpoint every N steps (0 = only at the end and on Ctrl-C). */
  save_steps: number;
  /** Rollouts logged per step (0 = all). */
  log_rollouts: number;
  sft: SftSettings;
  eval: EvalSettings;
  toolexpander: ToolExpanderSettings;
  /** torch device ("auto": cuda > mps > cpu) and dtype ("auto": bf16 on CUDA). */
  device: string;
  dtype: 'auto' | 'float32' | 'bfloat16' | 'float16';
  /** CPU threads for torch (0 = one per core). With small models on a shared CPU one thread can be far faster: OpenMP
   *  threads wait on each other when another process holds a core (measured 5× slower with 2 than 1 on a loaded
   *  2-core machine, src/train/demo/RESULTS.md). */
  num_threads: number;
  /** Export final/onnx/model.onnx at the end (for inline use). */
  export_onnx: boolean;
}

/** TRL GRPOConfig defaults where TRL has them (PAPERS.md §4), sized for a small model. */
export const DEFAULT_CONFIG: TrainConfig = {
  name: 'run',
  model: 'demo',
  codec: null,
  reward: 'slm-paper',
  seed: 0,
  max_steps: 100,
  max_minutes: 0,
  min_start_call_pass_at_k: 0,
  prompts_per_step: 4,
  num_generations: 8,
  num_iterations: 1,
  max_completion_length: 128,
  temperature: 1.0,
  top_p: 1.0,
  top_k: 0,
  learning_rate: 1e-6,
  lr_scheduler_type: 'linear',
  warmup_steps: 0,
  num_cycles: 1,
  gamma: 0.99,
  weight_decay: 0.0,
  adam_beta1: 0.9,
  adam_beta2: 0.99,
  max_grad_norm: 1.0,
  beta: 0.0,
  epsilon: 0.2,
  epsilon_high: 0.2,
  loss_type: 'dapo',
  scale_rewards: 'group',
  mask_truncated_completions: false,
  lora: null,
  micro_batch_tokens: 8192,
  save_steps: 50,
  log_rollouts: 0,
  sft: { steps: 0, batch_size: 8, learning_rate: 1e-4, lr_scheduler_type: 'cosine', warmup_steps: 0, max_minutes: 0, restarts: [], max_epochs: 0 },
  eval: { every: 25, max_rows: 200, pass_at_k: 0, pass_at_k_temperature: 1.0, pass_at_k_rows: 0, base: false },
  toolexpander: {
    enabled: false, hard_after_rollouts: 10, few_shot: 2, max_rounds: 3, max_substitution_fraction: 0.5,
    self_exemplify: false, self_exemplify_bonus: 0.01,
  },
  device: 'auto',
  dtype: 'auto',
  num_threads: 0,
  export_onnx: true,
};

/** A deep-partial config as users write it. */
export type ConfigInput = {
  [K in keyof TrainConfig]?: TrainConfig[K] extends object | null ? Partial<NonNullable<TrainConfig[K]>> | null : TrainConfig[K];
} & { preset?: PresetName };

/** What each preset changes, on top of DEFAULT_CONFIG. */
export const PRESET_OVERRIDES: Record<PresetName, ConfigInput> = {
  default: {},
  // PAPERS.md §1 (arXiv 2509.04518): 8 generations, lr 5e-6 with cosine restarts, LoRA r 64, the strict reward.
  'slm-paper': {
    reward: 'slm-paper', num_generations: 8, learning_rate: 5e-6, lr_scheduler_type: 'cosine_with_restarts',
    num_cycles: 2, lora: { r: 64, alpha: 64, dropout: 0.05, target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
    max_steps: 500, beta: 0.0,
  },
  // PAPERS.md §2 (arXiv 2510.07737): hard sampling with few-shot demos, exponential decay, no KL, asymmetric clip
  // (DAPO's 0.28 upper bound; the paper leaves the values open), the +0.01 self-exemplifying bonus.
  toolexpander: {
    learning_rate: 1e-6, lr_scheduler_type: 'exponential', gamma: 0.995, beta: 0.0, epsilon: 0.2, epsilon_high: 0.28,
    toolexpander: { enabled: true, self_exemplify: true },
  },
  // The built-in demo model on 2 CPU cores: the measured recipe (src/train/demo/recipe.ts, RESULTS.md) — full
  // fine-tuning, SFT at batch 16 in two cosine cycles (750 steps from 5e-3, 400 from 3e-3), GRPO with 8 prompts × 8,
  // binary reward, lr 3e-5 (every higher lr measured lost accuracy). Time budgets keep `tooltune demo` near its
  // 20 minutes whatever the CPU; pass@8 on 100 rows (8 samples per row).
  demo: {
    prompts_per_step: DEMO_GRPO.promptsPerStep, num_generations: DEMO_GRPO.numGenerations,
    max_completion_length: DEMO_GRPO.maxNewTokens, temperature: DEMO_GRPO.temperature,
    learning_rate: DEMO_GRPO.lr, lr_scheduler_type: 'constant', beta: DEMO_GRPO.beta,
    epsilon: DEMO_GRPO.epsilonLow, epsilon_high: DEMO_GRPO.epsilonHigh,
    reward: DEMO_GRPO.reward, max_steps: DEMO_GRPO.steps, max_minutes: DEMO_GRPO.minutes, lora: null, save_steps: 100, export_onnx: true,
    // One torch thread: at this model size the ops are too small for two to help, and when anything else holds a
    // core two OpenMP threads wait on each other (an SFT step: 0.55–0.67 s with 1 thread, 3.0 s with 2, RESULTS.md).
    num_threads: 1,
    sft: {
      steps: DEMO_SFT.cycles[0].steps, batch_size: DEMO_SFT.batchSize, learning_rate: DEMO_SFT.cycles[0].lr, lr_scheduler_type: 'cosine',
      warmup_steps: DEMO_SFT.cycles[0].warmupSteps, max_minutes: DEMO_SFT.maxMinutes,
      restarts: DEMO_SFT.cycles.slice(1).map((c) => ({ steps: c.steps, learning_rate: c.lr, warmup_steps: c.warmupSteps })),
    },
    eval: { every: 0, max_rows: 200, pass_at_k: 8, pass_at_k_temperature: 1.0, pass_at_k_rows: 100 },
  },
  // The demo from ToolTune Nano (src/train/nano/recipe.ts; which numbers are measured is said there): the shipped
  // pretrained model, no SFT unless a config asks for it (then at most one epoch), GRPO only from a learnable start.
  // The zero-shot `base` evaluation and pass@8 run on every eval row (issue 11: ≥ 250 rows, with a standard error).
  nano: {
    model: 'nano',
    prompts_per_step: NANO_GRPO.promptsPerStep, num_generations: NANO_GRPO.numGenerations,
    max_completion_length: NANO_GRPO.maxNewTokens, temperature: NANO_GRPO.temperature,
    learning_rate: NANO_GRPO.lr, lr_scheduler_type: 'constant', beta: NANO_GRPO.beta,
    epsilon: NANO_GRPO.epsilonLow, epsilon_high: NANO_GRPO.epsilonHigh,
    reward: NANO_GRPO.reward, max_steps: NANO_GRPO.steps, max_minutes: NANO_GRPO.minutes, lora: null, save_steps: 100, export_onnx: true,
    min_start_call_pass_at_k: NANO_GRPO.minStartCallPassAtK,
    // Not measured for Nano: the demo model's measurement (one thread beat two on a shared 2-core CPU).
    num_threads: 1,
    // No SFT by default; `"sft": {"steps": N}` in a config asks for a short one (NANO_SFT, capped at one epoch).
    sft: { steps: 0, batch_size: NANO_SFT.batchSize, learning_rate: NANO_SFT.lr, lr_scheduler_type: 'cosine', warmup_steps: NANO_SFT.warmupSteps,
      max_minutes: NANO_SFT.maxMinutes, restarts: [], max_epochs: NANO_SFT.maxEpochs },
    eval: { every: 0, max_rows: 0, pass_at_k: 8, pass_at_k_temperature: 1.0, pass_at_k_rows: 0, base: true },
  },
};

export class ConfigError extends Error {
  constructor(readonly field: string, readonly detail: string, readonly fix: string, readonly location?: string) {
    super(`${location ? `${location}: ` : ''}${field}: ${detail} ${fix}`);
    this.name = 'ConfigError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merge `over` into `base` (objects recursively; arrays and scalars replace; null replaces). */
function merge<T>(base: T, over: unknown): T {
  if (!isObj(over) || !isObj(base)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isObj(v) && isObj(out[k]) ? merge(out[k], v) : v;
  }
  return out as T;
}

/** defaults ← preset ← the user's input ← command-line overrides; validated. */
export function resolveConfig(input: ConfigInput = {}, overrides: ConfigInput = {}): TrainConfig {
  const preset = (overrides.preset ?? input.preset ?? 'default') as PresetName;
  if (!PRESETS.includes(preset)) {
    throw new ConfigError('preset', `unknown preset "${String(preset)}".`, `Use one of ${PRESETS.join(', ')}.`);
  }
  let cfg = merge(DEFAULT_CONFIG, PRESET_OVERRIDES[preset]);
  const strip = ({ preset: _p, ...rest }: ConfigInput) => rest;
  cfg = merge(cfg, strip(input));
  cfg = merge(cfg, strip(overrides));
  // `lora: {}` in a file means "LoRA with defaults".
  if (cfg.lora && isObj(cfg.lora)) cfg.lora = merge(PRESET_OVERRIDES['slm-paper'].lora as LoraSettings, cfg.lora);
  validateConfig(cfg);
  return cfg;
}

type Check = [field: string, ok: boolean, message: string, fix: string];

/** Throw ConfigError for the first invalid field or combination. */
export function validateConfig(c: TrainConfig): void {
  const int = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
  const num = (v: unknown, min: number, max = Infinity) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
  const oneOf = <T>(v: T, xs: readonly T[]) => xs.includes(v);
  const checks: Check[] = [
    ['name', typeof c.name === 'string' && /^[\w.-]{1,64}$/.test(c.name), `"${String(c.name)}" is not a usable folder name.`, 'Use letters, digits, ".", "-" or "_" (at most 64).'],
    ['model', typeof c.model === 'string' && c.model.length > 0, 'is empty.', 'Give a model folder, a Hugging Face id (org/name), "nano" (the shipped ToolTune Nano) or "demo".'],
    ['codec', c.codec === null || oneOf(c.codec, ['hermes', 'llama3-json', 'pythonic', 'xlam', 'json'] as const), `unknown codec "${String(c.codec)}".`, 'Use hermes, llama3-json, pythonic, xlam or json, or null to follow the model family.'],
    ['reward', oneOf(c.reward, ['slm-paper', 'toolrl', 'binary'] as const), `unknown reward "${String(c.reward)}".`, 'Use slm-paper, toolrl or binary.'],
    ['seed', int(c.seed, 0), 'must be a non-negative integer.', 'For example 0.'],
    ['max_steps', int(c.max_steps, 0), 'must be a non-negative integer.', 'For example 100.'],
    ['prompts_per_step', int(c.prompts_per_step, 1), 'must be an integer ≥ 1.', 'For example 4.'],
    ['num_iterations', int(c.num_iterations, 1), 'must be an integer ≥ 1.', 'Use 1 (TRL default); 2–4 reuse each generated batch for more updates.'],
    ['num_generations', int(c.num_generations, 2), 'must be an integer ≥ 2: GRPO compares samples within a group, one sample has no spread.', 'Use 8 (TRL default).'],
    ['max_completion_length', int(c.max_completion_length, 1), 'must be an integer ≥ 1.', 'For example 128.'],
    ['temperature', num(c.temperature, 0) && c.temperature > 0, 'must be > 0 for GRPO sampling (0 would be greedy: every sample identical, no signal).', 'Use 1.0 (TRL default).'],
    ['top_p', num(c.top_p, 0, 1) && c.top_p > 0, 'must be in (0, 1].', 'Use 1.0.'],
    ['top_k', int(c.top_k, 0), 'must be a non-negative integer (0 = off).', 'Use 0.'],
    ['learning_rate', num(c.learning_rate, 0) && c.learning_rate > 0 && c.learning_rate < 1, 'must be in (0, 1).', 'For example 1e-6 (TRL) or 5e-6 (paper 1).'],
    ['lr_scheduler_type', oneOf(c.lr_scheduler_type, ['constant', 'linear', 'cosine', 'cosine_with_restarts', 'exponential'] as const), `unknown schedule "${String(c.lr_scheduler_type)}".`, 'Use constant, linear, cosine, cosine_with_restarts or exponential.'],
    ['warmup_steps', int(c.warmup_steps, 0), 'must be a non-negative integer.', 'For example 0.'],
    ['num_cycles', int(c.num_cycles, 1), 'must be an integer ≥ 1.', 'For example 2.'],
    ['gamma', num(c.gamma, 0, 1) && c.gamma > 0, 'must be in (0, 1].', 'For example 0.995 (lr halves in ~140 steps).'],
    ['weight_decay', num(c.weight_decay, 0, 1), 'must be in [0, 1].', 'Use 0.0.'],
    ['adam_beta1', num(c.adam_beta1, 0, 1) && c.adam_beta1 < 1, 'must be in [0, 1).', 'Use 0.9.'],
    ['adam_beta2', num(c.adam_beta2, 0, 1) && c.adam_beta2 < 1, 'must be in [0, 1).', 'Use 0.99.'],
    ['max_grad_norm', num(c.max_grad_norm, 0) && c.max_grad_norm > 0, 'must be > 0.', 'Use 1.0.'],
    ['beta', num(c.beta, 0), 'must be ≥ 0.', 'Use 0.0 (no KL, TRL default) or e.g. 0.04.'],
    ['epsilon', num(c.epsilon, 0, 1) && c.epsilon > 0, 'must be in (0, 1].', 'Use 0.2.'],
    ['epsilon_high', num(c.epsilon_high, 0, 1) && c.epsilon_high >= c.epsilon, 'must be in [epsilon, 1]: the upper clip is never tighter than the lower one.', `Use ${c.epsilon} (= epsilon) or 0.28 (DAPO).`],
    ['loss_type', oneOf(c.loss_type, ['grpo', 'bnpo', 'dr_grpo', 'dapo'] as const), `unknown loss_type "${String(c.loss_type)}".`, 'Use grpo, bnpo, dr_grpo or dapo.'],
    ['scale_rewards', oneOf(c.scale_rewards, ['group', 'batch', 'none'] as const), `unknown value "${String(c.scale_rewards)}".`, 'Use group, batch or none.'],
    ['micro_batch_tokens', int(c.micro_batch_tokens, 64), 'must be an integer ≥ 64.', 'For example 8192.'],
    ['save_steps', int(c.save_steps, 0), 'must be a non-negative integer.', 'For example 50.'],
    ['log_rollouts', int(c.log_rollouts, 0), 'must be a non-negative integer (0 = all).', 'Use 0.'],
    ['sft.steps', int(c.sft?.steps, 0), 'must be a non-negative integer.', 'Use 0 to skip the warm-up.'],
    ['sft.batch_size', int(c.sft?.batch_size, 1), 'must be an integer ≥ 1.', 'For example 8.'],
    ['sft.learning_rate', num(c.sft?.learning_rate, 0) && c.sft.learning_rate > 0 && c.sft.learning_rate < 1, 'must be in (0, 1).', 'For example 1e-4.'],
    ['sft.lr_scheduler_type', oneOf(c.sft?.lr_scheduler_type, ['constant', 'linear', 'cosine', 'cosine_with_restarts', 'exponential'] as const), `unknown schedule "${String(c.sft?.lr_scheduler_type)}".`, 'Use constant, linear or cosine.'],
    ['sft.warmup_steps', int(c.sft?.warmup_steps, 0), 'must be a non-negative integer.', 'For example 10.'],
    ['sft.max_minutes', num(c.sft?.max_minutes, 0), 'must be ≥ 0 (0 = no time limit).', 'For example 8.'],
    ['sft.restarts', Array.isArray(c.sft?.restarts) && c.sft.restarts.every((r) => isObj(r) && int(r.steps, 1) && num(r.learning_rate, 0, 1) && r.learning_rate > 0 && int(r.warmup_steps, 0)),
      'must be a list of {"steps": ≥ 1, "learning_rate": in (0, 1), "warmup_steps": ≥ 0}.', 'For example [{"steps": 300, "learning_rate": 3e-3, "warmup_steps": 10}], or [] for one cycle.'],
    ['max_minutes', num(c.max_minutes, 0), 'must be ≥ 0 (0 = no time limit).', 'For example 10.'],
    ['min_start_call_pass_at_k', num(c.min_start_call_pass_at_k, 0, 1), 'must be in [0, 1] (0 = GRPO always starts).', 'For example 0.1 (issue 11: call-row pass@8 ≥ 10%).'],
    ['min_start_call_pass_at_k', !(c.min_start_call_pass_at_k > 0) || c.eval?.pass_at_k > 0, 'needs pass@k at the start evaluation.', 'Set "eval": {"pass_at_k": 8}, or min_start_call_pass_at_k to 0.'],
    ['sft.max_epochs', num(c.sft?.max_epochs, 0), 'must be ≥ 0 (0 = no cap).', 'For example 1.'],
    ['eval.base', typeof c.eval?.base === 'boolean', 'must be true or false.', 'Use true to evaluate the model before SFT.'],
    ['eval.every', int(c.eval?.every, 0), 'must be a non-negative integer.', 'For example 25.'],
    ['eval.max_rows', int(c.eval?.max_rows, 0), 'must be a non-negative integer (0 = all).', 'For example 200.'],
    ['eval.pass_at_k', int(c.eval?.pass_at_k, 0), 'must be a non-negative integer (0 = off).', 'For example 8.'],
    ['eval.pass_at_k_temperature', num(c.eval?.pass_at_k_temperature, 0) && c.eval.pass_at_k_temperature > 0, 'must be > 0.', 'Use 1.0.'],
    ['eval.pass_at_k_rows', int(c.eval?.pass_at_k_rows, 0), 'must be a non-negative integer (0 = all evaluated rows).', 'For example 100.'],
    ['toolexpander.hard_after_rollouts', int(c.toolexpander?.hard_after_rollouts, 1), 'must be an integer ≥ 1.', 'Use 10 (ToolExpander).'],
    ['toolexpander.few_shot', int(c.toolexpander?.few_shot, 1) && c.toolexpander.few_shot <= 8, 'must be an integer from 1 to 8.', 'For example 2.'],
    ['toolexpander.max_rounds', int(c.toolexpander?.max_rounds, 1), 'must be an integer ≥ 1.', 'For example 3.'],
    ['toolexpander.max_substitution_fraction', num(c.toolexpander?.max_substitution_fraction, 0, 1), 'must be in [0, 1].', 'For example 0.5.'],
    ['toolexpander.self_exemplify_bonus', num(c.toolexpander?.self_exemplify_bonus, 0, 1), 'must be in [0, 1].', 'Use 0.01 (ToolExpander).'],
    ['toolexpander.self_exemplify', !c.toolexpander?.self_exemplify || c.toolexpander.enabled, 'needs toolexpander.enabled.', 'Set "toolexpander": {"enabled": true} or turn self_exemplify off.'],
    ['num_threads', int(c.num_threads, 0), `must be a whole number ≥ 0, got ${String(c.num_threads)}.`, 'Use 0 for one thread per core, or a thread count.'],
    ['dtype', oneOf(c.dtype, ['auto', 'float32', 'bfloat16', 'float16'] as const), `unknown dtype "${String(c.dtype)}".`, 'Use auto, float32, bfloat16 or float16.'],
  ];
  if (c.lora) {
    checks.push(
      ['lora.r', int(c.lora.r, 1), 'must be an integer ≥ 1.', 'For example 64 (paper 1).'],
      ['lora.alpha', num(c.lora.alpha, 0) && c.lora.alpha > 0, 'must be > 0.', 'For example equal to r.'],
      ['lora.dropout', num(c.lora.dropout, 0, 1) && c.lora.dropout < 1, 'must be in [0, 1).', 'For example 0.05.'],
      ['lora.target_modules', Array.isArray(c.lora.target_modules) && c.lora.target_modules.length > 0 && c.lora.target_modules.every((m) => typeof m === 'string'), 'must be a non-empty list of module names.', 'For example ["q_proj", "v_proj"].'],
    );
  }
  // A KL term needs a reference policy: the engine uses the base model with LoRA off (no second copy of the weights).
  checks.push(['beta', c.beta === 0 || c.lora !== null, 'a KL penalty (beta > 0) needs LoRA: the reference policy is the base model with the adapter off.', 'Set beta to 0 or configure "lora".']);
  checks.push(['lr_scheduler_type', c.lr_scheduler_type !== 'exponential' || c.gamma < 1, 'exponential decay with gamma 1 is a constant schedule.', 'Set gamma below 1 (e.g. 0.995) or use "constant".']);
  for (const [field, ok, message, fix] of checks) if (!ok) throw new ConfigError(field, message, fix);
}

/** The engine's optimizer settings for the GRPO phase. */
export function grpoOptimizer(c: TrainConfig): OptimizerConfig {
  return {
    lr: c.learning_rate, weight_decay: c.weight_decay, betas: [c.adam_beta1, c.adam_beta2], max_grad_norm: c.max_grad_norm,
    schedule: c.lr_scheduler_type, warmup_steps: c.warmup_steps,
    // one optimizer step per update: μ per GRPO step (TRL counts its scheduler the same way)
    total_steps: Math.max(1, c.max_steps * c.num_iterations),
    num_cycles: c.num_cycles, gamma: c.gamma,
  };
}

/** The engine's optimizer settings for the SFT warm-up. */
/** The SFT cycles in order: the first from `sft.steps/learning_rate/warmup_steps`, then `sft.restarts`. */
export function sftCycles(c: TrainConfig): SftCycle[] {
  const first = { steps: c.sft.steps, learning_rate: c.sft.learning_rate, warmup_steps: c.sft.warmup_steps };
  return c.sft.steps > 0 ? [first, ...c.sft.restarts] : [];
}

export function sftOptimizer(c: TrainConfig, cycle: SftCycle = sftCycles(c)[0] ?? { steps: 1, learning_rate: c.sft.learning_rate, warmup_steps: 0 }): OptimizerConfig {
  return {
    lr: cycle.learning_rate, weight_decay: 0, betas: [0.9, 0.95], max_grad_norm: c.max_grad_norm,
    schedule: c.sft.lr_scheduler_type, warmup_steps: cycle.warmup_steps, total_steps: Math.max(1, cycle.steps),
    num_cycles: 1, gamma: c.gamma,
  };
}
