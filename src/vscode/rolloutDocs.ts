// The read-only documents behind the rollout diff editor: the expected call (pretty JSON) on the left, the model's
// parsed call on the right (or its raw text when nothing parsed). Addressed by URIs of the `tooltune-rollout`
// scheme; pure here, served by a TextDocumentContentProvider in runsView.ts.
import type { RolloutRecord } from '../train/events';

export const ROLLOUT_SCHEME = 'tooltune-rollout';

export interface RolloutAddress {
  runDir: string;
  step: number;
  rowId: string;
  sample: number;
  side: 'expected' | 'model';
}

/** Path `/<step>/<row>/<sample>/<side>.json` (or `.txt` for raw text), the run folder in the query. */
export function addressToParts(a: RolloutAddress, raw: boolean): { path: string; query: string } {
  const ext = a.side === 'model' && raw ? 'txt' : 'json';
  return { path: `/step-${a.step}/${encodeURIComponent(a.rowId)}/${a.sample}/${a.side}.${ext}`, query: `run=${encodeURIComponent(a.runDir)}` };
}

export function partsToAddress(path: string, query: string): RolloutAddress | undefined {
  const m = /^\/step-(\d+)\/([^/]+)\/(\d+)\/(expected|model)\.(json|txt)$/.exec(path);
  const run = new URLSearchParams(query).get('run');
  if (!m || !run) return undefined;
  return { runDir: run, step: Number(m[1]), rowId: decodeURIComponent(m[2]!), sample: Number(m[3]), side: m[4] as 'expected' | 'model' };
}

/** Whether the model side is shown as raw text: when the codec parsed no call but the model wrote something. */
export function showsRaw(r: RolloutRecord): boolean {
  return r.parsed.length === 0 && r.completion.trim() !== '' && r.expected.length > 0;
}

export function pretty(calls: RolloutRecord['expected']): string {
  return JSON.stringify(calls.map((c) => ({ name: c.name, arguments: c.arguments })), null, 2) + '\n';
}

export function documentText(r: RolloutRecord, side: 'expected' | 'model'): string {
  if (side === 'expected') return pretty(r.expected);
  return showsRaw(r) ? r.completion + (r.completion.endsWith('\n') ? '' : '\n') : pretty(r.parsed);
}

export function diffTitle(r: RolloutRecord): string {
  const verdict = r.correct ? '✓' : r.clean ? '✗' : '✗ unparsed';
  return `${r.row_id} · step ${r.step} #${r.sample} · reward ${r.reward.toFixed(2)} ${verdict} (expected ↔ model)`;
}

/** The best rollout of a row at a step: highest reward, then the lowest sample index (stable). */
export function bestOf(records: RolloutRecord[], rowId: string, step: number): RolloutRecord | undefined {
  let best: RolloutRecord | undefined;
  for (const r of records) {
    if (r.row_id !== rowId || r.step !== step) continue;
    if (!best || r.reward > best.reward || (r.reward === best.reward && r.sample < best.sample)) best = r;
  }
  return best;
}

export function findRollout(records: RolloutRecord[], step: number, rowId: string, sample: number): RolloutRecord | undefined {
  return records.find((r) => r.step === step && r.row_id === rowId && r.sample === sample);
}
