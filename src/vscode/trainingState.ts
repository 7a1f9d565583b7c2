// The state of a training run as the extension shows it, folded from the trainer's events (src/train/events.ts).
// Pure, so the status-bar text and the end-of-run message are unit-tested.
import type { RunStatus, TrainEvent } from '../train/events';

export interface TrainingState {
  status: RunStatus;
  runDir?: string;
  runId?: string;
  step: number;
  totalSteps?: number;
  reward?: number;
  phase?: string;
  /** SFT warm-start progress, shown before GRPO steps arrive. */
  sft?: { step: number; total: number; loss: number };
  error?: string;
  finalDir?: string;
  lastLog?: string;
}

export function initialState(): TrainingState { return { status: 'starting', step: 0 }; }

export function reduce(s: TrainingState, e: TrainEvent): TrainingState {
  switch (e.type) {
    case 'run_started': {
      const id = e.run_dir.split(/[\\/]/).filter(Boolean).pop();
      return { ...s, status: 'running', runDir: e.run_dir, ...(id ? { runId: id } : {}), totalSteps: e.total_steps, step: e.resumed_from_step ?? s.step };
    }
    case 'phase': return { ...s, phase: e.phase };
    case 'sft_step': return { ...s, sft: { step: e.step, total: e.total, loss: e.loss } };
    case 'step': return { ...s, step: e.metrics.step, reward: e.metrics.reward };
    case 'log': return e.level === 'error' || e.level === 'warning' ? { ...s, lastLog: e.message } : s;
    case 'run_finished': return { ...s, status: e.status, ...(e.error ? { error: e.error } : {}), ...(e.final_dir ? { finalDir: e.final_dir } : {}) };
    default: return s;
  }
}

/** `$(sync~spin) step 120/500 · reward 0.62` — one status-bar item, no other chrome while training. */
export function statusBarText(s: TrainingState): string {
  const spin = s.status === 'running' || s.status === 'starting' || s.status === 'stopping' ? '$(sync~spin) ' : '';
  if (s.status === 'stopping') return `${spin}ToolTune: stopping at step ${s.step}…`;
  if (s.status === 'starting') return `${spin}ToolTune: starting…`;
  if (s.status === 'running' && s.step === 0) {
    if (s.sft) return `${spin}SFT ${s.sft.step}/${s.sft.total} · loss ${s.sft.loss.toFixed(3)}`;
    return `${spin}ToolTune: ${s.phase ?? 'preparing'}…`;
  }
  const total = s.totalSteps ? `/${s.totalSteps}` : '';
  const reward = s.reward !== undefined && Number.isFinite(s.reward) ? ` · reward ${s.reward.toFixed(2)}` : '';
  if (s.status === 'running') return `${spin}step ${s.step}${total}${reward}`;
  return `ToolTune: ${s.status} at step ${s.step}${total}${reward}`;
}

/** The one notification of a run: when it ends or fails. */
export function endMessage(s: TrainingState, exitCode: number | null): { severity: 'info' | 'error'; text: string } {
  const where = s.runId ? ` (${s.runId})` : '';
  if (s.status === 'completed') return { severity: 'info', text: `ToolTune: training finished${where} after ${s.step} steps${s.reward !== undefined ? `, last reward ${s.reward.toFixed(2)}` : ''}.` };
  if (s.status === 'stopped') return { severity: 'info', text: `ToolTune: training stopped at step ${s.step}${where}; a checkpoint was saved. Resume with "ToolTune: Resume Training".` };
  const why = s.error ?? s.lastLog ?? (exitCode !== null ? `the trainer exited with code ${exitCode}` : 'the trainer was killed');
  return { severity: 'error', text: `ToolTune: training failed${where}: ${why}` };
}
