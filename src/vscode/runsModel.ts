// The Runs tree's shape, built from run folders (src/train/runReader.ts): run → status, eval figures → steps →
// rows → rollouts. Pure (no vscode), so the tree is unit-tested on real fixture folders.
import type { EvalRecord, RolloutRecord } from '../train/events';
import type { RunSummary } from '../train/runReader';

export type RunsNode =
  | { kind: 'run'; run: RunSummary }
  | { kind: 'info'; runDir: string; label: string; description?: string; icon: string }
  | { kind: 'step'; runDir: string; step: number; rows: number; meanReward: number; passed: number; total: number }
  | { kind: 'row'; runDir: string; step: number; rowId: string; best: number; passed: number; total: number }
  | { kind: 'rollout'; runDir: string; rollout: RolloutRecord };

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`);

export function runLabel(r: RunSummary): { label: string; description: string; icon: string } {
  const total = r.totalSteps ? `/${r.totalSteps}` : '';
  const icon = { completed: 'pass', stopped: 'debug-pause', failed: 'error', running: 'sync~spin', starting: 'sync~spin', stopping: 'sync~spin', unknown: 'question' }[r.status];
  return { label: r.id, description: `${r.status} · step ${r.step}${total}`, icon };
}

/** Children of a run: its status line, one line per eval (latest first), then the steps that logged rollouts. */
export function runChildren(run: RunSummary, evals: EvalRecord[], rollouts: RolloutRecord[], maxSteps: number): RunsNode[] {
  const out: RunsNode[] = [];
  out.push({ kind: 'info', runDir: run.dir, label: `status: ${run.status}`, description: run.error ?? `step ${run.step}${run.totalSteps ? `/${run.totalSteps}` : ''}`, icon: run.status === 'failed' ? 'error' : 'info' });
  const isBase = (e: EvalRecord) => (e.stage === 'base' ? 1 : 0);
  for (const e of [...evals].sort((a, b) => b.step - a.step || isBase(a) - isBase(b))) {
    // The base evaluation (eval.base) shares step 0 with GRPO's start when an SFT ran between them.
    out.push({ kind: 'info', runDir: run.dir, label: e.stage === 'base' ? 'eval @ base (before SFT)' : `eval @ step ${e.step}`, icon: 'graph',
      description: `exact ${pct(e['eval/accuracy'])} · name ${pct(e['eval/name_accuracy'])} · args ${pct(e['eval/args_accuracy'])} · format ${pct(e['eval/format_valid'])} · no-call ${pct(e['eval/no_call_accuracy'])} (n=${e.n})` });
  }
  const bySteps = new Map<number, RolloutRecord[]>();
  for (const r of rollouts) { const l = bySteps.get(r.step); if (l) l.push(r); else bySteps.set(r.step, [r]); }
  const steps = [...bySteps.keys()].sort((a, b) => b - a).slice(0, maxSteps);
  for (const s of steps) {
    const rs = bySteps.get(s)!;
    out.push({ kind: 'step', runDir: run.dir, step: s, rows: new Set(rs.map((r) => r.row_id)).size,
      meanReward: rs.reduce((a, r) => a + r.reward, 0) / rs.length, passed: rs.filter((r) => r.correct).length, total: rs.length });
  }
  return out;
}

export function stepChildren(runDir: string, step: number, rollouts: RolloutRecord[]): RunsNode[] {
  const rows = new Map<string, RolloutRecord[]>();
  for (const r of rollouts) if (r.step === step) { const l = rows.get(r.row_id); if (l) l.push(r); else rows.set(r.row_id, [r]); }
  return [...rows.entries()].map(([rowId, rs]) => ({
    kind: 'row' as const, runDir, step, rowId, best: Math.max(...rs.map((r) => r.reward)), passed: rs.filter((r) => r.correct).length, total: rs.length,
  }));
}

export function rowChildren(runDir: string, step: number, rowId: string, rollouts: RolloutRecord[]): RunsNode[] {
  return rollouts.filter((r) => r.step === step && r.row_id === rowId).sort((a, b) => a.sample - b.sample)
    .map((rollout) => ({ kind: 'rollout' as const, runDir, rollout }));
}

/** Steps at which a row has rollouts (for "compare across steps"), ascending. */
export function stepsOfRow(rowId: string, rollouts: RolloutRecord[]): number[] {
  return [...new Set(rollouts.filter((r) => r.row_id === rowId).map((r) => r.step))].sort((a, b) => a - b);
}
