// The dashboard's message protocol. This file is shared by both sides: the extension host
// (src/vscode/dashboard.ts) imports it, and so does the webview (webview/main.ts). Change both together.
// The host owns the data (it reads the run folder); the webview only draws and keeps view state (vscode.setState),
// so reopening, hiding or reloading the panel restores everything by asking the host again.
//
// Webview → host: requests with a correlation id, each answered by exactly one reply with the same id.
// Host → webview: replies, and events (pushed as a run appends steps).

/** A run as the picker lists it. */
export interface RunInfo {
  id: string;
  status: string;
  step: number;
  totalSteps?: number;
}

/** Metrics of one run in columns: `x.step[i]`, `x.time[i]` and `values[key][i]` describe the same step.
 *  Missing values are null (a key that appears later in the run, or a NaN the trainer wrote). */
export interface MetricColumns {
  step: number[];
  time: number[];
  values: Record<string, (number | null)[]>;
}

/** One rollout row of the table (the prompt and completion stay on the host; a click asks for the diff). */
export interface RolloutRow {
  step: number;
  row_id: string;
  sample: number;
  reward: number;
  advantage: number;
  correct: boolean;
  clean: boolean;
  parts: Record<string, number>;
  /** The first parsed call's name, or "" when nothing parsed (shown as text in the table). */
  call: string;
}

export interface RunSnapshot {
  run: RunInfo;
  metrics: MetricColumns;
  evals: MetricColumns;
  /** Rollouts of the latest step that has any. */
  rollouts: RolloutRow[];
}

/** What the webview keeps across hide/reload (vscode.setState). */
export interface ViewState {
  primary?: string;
  overlay?: string;
  /** TensorBoard's smoothing weight in [0, 0.999]. */
  smoothing: number;
  xAxis: 'step' | 'time';
  sort: { key: string; descending: boolean };
}

export const DEFAULT_VIEW_STATE: ViewState = { smoothing: 0.6, xAxis: 'step', sort: { key: 'reward', descending: true } };

/** Request name → [params, result]. */
export interface DashboardRequests {
  /** The runs under .tooltune/runs/, newest first, and the run the host suggests (the active or latest one). */
  listRuns: [Record<string, never>, { runs: RunInfo[]; suggested?: string }];
  /** Everything one run holds so far; the host then pushes its appended steps as `append` events. */
  openRun: [{ runId: string; slot: 'primary' | 'overlay' }, RunSnapshot];
  /** Stop pushing a slot's run (overlay cleared). */
  closeRun: [{ slot: 'overlay' }, Record<string, never>];
  /** Open the diff editor of one rollout. */
  openRollout: [{ runId: string; step: number; row_id: string; sample: number }, Record<string, never>];
  /** Timing report from the webview (e2e and benchmark use it; the host logs it). */
  reportTiming: [{ what: string; ms: number; points: number }, Record<string, never>];
}
export type RequestName = keyof DashboardRequests;

/** Host → webview events. */
export interface DashboardEvents {
  /** New steps (and evals, rollouts) of an open run. `reset` means the run folder was rewritten: drop and refill. */
  append: { runId: string; metrics: MetricColumns; evals: MetricColumns; rollouts: RolloutRow[]; reset: boolean; run: RunInfo };
  /** The list of runs changed (a run started or ended). */
  runs: { runs: RunInfo[] };
  /** The host asks the webview to show a run (e.g. a run just started from the Train command). */
  show: { runId: string };
}
export type EventName = keyof DashboardEvents;

export type WebviewToHost = { kind: 'request'; id: number; method: RequestName; params: unknown };
export type HostToWebview =
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string }
  | { kind: 'event'; event: EventName; data: unknown };

/** Narrowing guard for messages arriving at the host (they come from a page we wrote, but are still checked). */
export function isRequest(m: unknown): m is WebviewToHost {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return r.kind === 'request' && typeof r.id === 'number' && typeof r.method === 'string';
}

/** Empty column set. */
export function emptyColumns(): MetricColumns { return { step: [], time: [], values: {} }; }
