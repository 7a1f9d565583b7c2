// What the dashboard host sends: run folders turned into the webview protocol's shapes (webview/protocol.ts).
import { toColumns } from '../../webview/chartData';
import type { MetricColumns, RolloutRow, RunInfo, RunSnapshot } from '../../webview/protocol';
import type { RolloutRecord } from '../train/events';
import type { RunData, RunSummary } from '../train/runReader';

export function runInfo(s: RunSummary): RunInfo {
  return { id: s.id, status: s.status, step: s.step, ...(s.totalSteps !== undefined ? { totalSteps: s.totalSteps } : {}) };
}

export function rolloutRow(r: RolloutRecord): RolloutRow {
  return { step: r.step, row_id: r.row_id, sample: r.sample, reward: r.reward, advantage: r.advantage, correct: r.correct,
    clean: r.clean, parts: r.parts ?? {}, call: r.parsed[0]?.name ?? '' };
}

/** Rollouts of the latest step present (the table shows "the latest rollouts"). */
export function latestRollouts(records: RolloutRecord[]): RolloutRow[] {
  let last = -Infinity;
  for (const r of records) if (r.step > last) last = r.step;
  return records.filter((r) => r.step === last).map(rolloutRow);
}

export function snapshot(data: RunData): RunSnapshot {
  return {
    run: runInfo(data.summary),
    metrics: toColumns(data.metrics as unknown as Record<string, unknown>[]),
    evals: toColumns(data.evals as unknown as Record<string, unknown>[]),
    rollouts: latestRollouts(data.rollouts),
  };
}

export function columnsOf(records: readonly object[]): MetricColumns { return toColumns(records as Record<string, unknown>[]); }
