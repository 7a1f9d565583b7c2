// Events that `tooltune train --events jsonl` writes to stdout, one JSON object per line. The extension
// (src/vscode) consumes them; the dashboard's own protocol is webview/protocol.ts. The run folder stays the source
// of truth: every event here is also recoverable from it (metrics.jsonl, rollouts.jsonl, eval.jsonl, events.log),
// so a reloaded window catches up from disk and uses events only to be live.

export const EVENTS_VERSION = 1;

/** One line of metrics.jsonl, TRL key names verbatim (PAPERS.md §4) plus ToolTune's own. */
export interface StepMetrics {
  step: number;
  /** Seconds since the run started (for the wall-time x axis). */
  time: number;
  reward: number;
  reward_std: number;
  /** `rewards/<part>/mean`, `rewards/<part>/std`, `completions/...`, `clip_ratio/...`, `hard_pool/size`, … */
  [key: string]: number;
}

/** One line of eval.jsonl. */
export interface EvalRecord {
  step: number;
  time: number;
  split: string;          // "eval"
  n: number;              // rows evaluated
  'eval/accuracy': number;
  'eval/format_valid': number;
  'eval/name_accuracy': number;
  'eval/args_accuracy': number;
  'eval/no_call_accuracy': number;
  /** present when sampled eval was run */
  'eval/pass_at_k'?: number;
  [key: string]: number | string | undefined;
}

/** One line of rollouts.jsonl: one completion of one row at one step. */
export interface RolloutRecord {
  step: number;
  row_id: string;
  /** index of the sample within its group (0..G-1) */
  sample: number;
  prompt: string;
  completion: string;
  /** calls the codec parsed from the completion */
  parsed: Array<{ name: string; arguments: Record<string, unknown> }>;
  expected: Array<{ name: string; arguments: Record<string, unknown> }>;
  clean: boolean;
  correct: boolean;
  reward: number;
  parts: Record<string, number>;
  advantage: number;
  /** true when ToolExpander substituted this row with few-shot demonstrations */
  few_shot?: boolean;
}

export type RunStatus = 'starting' | 'running' | 'stopping' | 'completed' | 'stopped' | 'failed';

export type TrainEvent =
  | { type: 'run_started'; run_dir: string; name: string; config: unknown; total_steps: number; resumed_from_step?: number }
  | { type: 'phase'; phase: 'preflight' | 'loading' | 'sft' | 'eval' | 'grpo' | 'export' | 'done'; message?: string }
  | { type: 'progress'; task: string; done: number; total: number }
  | { type: 'sft_step'; step: number; total: number; loss: number }
  | { type: 'step'; metrics: StepMetrics }
  | { type: 'eval'; record: EvalRecord }
  | { type: 'rollouts'; step: number; count: number }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warning' | 'error'; message: string }
  | { type: 'run_finished'; status: Exclude<RunStatus, 'starting' | 'running' | 'stopping'>; run_dir: string; final_dir?: string; error?: string };

/** Files of a run folder `.tooltune/runs/<name>-<timestamp>/` (ARCHITECTURE.md). */
export const RUN_FILES = {
  config: 'config.json',
  status: 'status.json',
  metrics: 'metrics.jsonl',
  rollouts: 'rollouts.jsonl',
  eval: 'eval.jsonl',
  events: 'events.log',
  checkpoints: 'checkpoints',
  final: 'final',
} as const;
