// Pure chart data assembly for the dashboard: smoothing, decimation, and aligning one or two runs onto the shared
// x axis uPlot wants. No DOM here, so it is unit-tested in test/unit/webview/chartData.test.ts.
import type { MetricColumns } from './protocol';

/**
 * TensorBoard's smoothing: an exponential moving average with debiasing, so the first points are not pulled toward
 * zero (TensorBoard's scalar dashboard, `smoothing weight`, debiased like Adam's moment estimates: divide the
 * accumulated average by 1 - w^n). Non-finite values are passed through and do not disturb the average.
 *   ema([1, 1, 1], 0.9) → [1, 1, 1]   (a constant stays constant)
 *   ema([0, 10], 0.5)   → [0, 6.667]  (last = 0.5·0 + 0.5·10 = 5; debias 1 − 0.25 = 0.75)
 */
export function ema(values: ArrayLike<number | null>, weight: number): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out: (number | null)[] = new Array(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) { out[i] = v ?? null; continue; }
    last = last * w + (1 - w) * v;
    n++;
    out[i] = last / (1 - Math.pow(w, n));
  }
  return out;
}

/**
 * Indices to draw when a series has more points than pixels: the series is cut into buckets and each bucket keeps
 * its first point, its minimum and its maximum (in x order), so spikes survive decimation — plain striding would
 * drop a collapse spike in `frac_reward_zero_std`. The last point is always kept, so the line reaches "now".
 */
export function decimate(ys: ArrayLike<number | null>, maxPoints: number): number[] {
  const n = ys.length;
  if (n <= maxPoints || maxPoints < 4) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(maxPoints / 3));
  const size = n / buckets;
  const keep: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(n, Math.floor((b + 1) * size));
    if (start >= end) continue;
    let lo = -1; let hi = -1;
    for (let i = start; i < end; i++) {
      const v = ys[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      if (lo < 0 || v < (ys[lo] as number)) lo = i;
      if (hi < 0 || v > (ys[hi] as number)) hi = i;
    }
    const picked = new Set([start, ...(lo >= 0 ? [lo] : []), ...(hi >= 0 ? [hi] : [])]);
    keep.push(...[...picked].sort((a, c) => a - c));
  }
  if (keep[keep.length - 1] !== n - 1) keep.push(n - 1);
  return keep;
}

/** One line of a chart before alignment: x and y of the same length. */
export interface Line { label: string; run: 'primary' | 'overlay'; kind: 'raw' | 'smooth' | 'upper' | 'lower'; x: number[]; y: (number | null)[] }

/** uPlot's AlignedData: the shared x column, then one y column per line (null where that line has no point). */
export interface Aligned { x: number[]; ys: (number | null)[][]; lines: Omit<Line, 'x' | 'y'>[] }

/** Merge lines with different x values onto their sorted union (two runs rarely log the same steps or times). */
export function align(lines: Line[]): Aligned {
  const meta = lines.map(({ label, run, kind }) => ({ label, run, kind }));
  // Fast path: the lines of one run share one x array (chartLines builds it once), so nothing needs merging.
  if (lines.length && lines.every((l) => l.x === lines[0]!.x)) return { x: lines[0]!.x, ys: lines.map((l) => l.y), lines: meta };
  const xs = new Set<number>();
  for (const l of lines) for (const x of l.x) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  const pos = new Map<number, number>();
  x.forEach((v, i) => pos.set(v, i));
  const ys = lines.map((l) => {
    const col: (number | null)[] = new Array(x.length).fill(null);
    for (let i = 0; i < l.x.length; i++) col[pos.get(l.x[i]!)!] = l.y[i] ?? null;
    return col;
  });
  return { x, ys, lines: meta };
}

export interface SeriesRequest {
  key: string;
  /** Draw mean ± this key as a band (reward ± reward_std). */
  stdKey?: string;
}

export interface BuildOptions { smoothing: number; xAxis: 'step' | 'time'; maxPoints: number }

/** Lines for one chart: for every run and series, the raw line and its smoothed line (and the ± std band). */
export function chartLines(runs: { run: 'primary' | 'overlay'; cols: MetricColumns }[], series: SeriesRequest[], opt: BuildOptions): Line[] {
  const out: Line[] = [];
  for (const { run, cols } of runs) {
    const xFull = opt.xAxis === 'time' ? cols.time : cols.step;
    for (const s of series) {
      const y = cols.values[s.key];
      if (!y || !y.some((v) => v !== null)) continue;
      const smooth = ema(y, opt.smoothing);
      const idx = decimate(smooth, opt.maxPoints);
      const pick = <T>(a: ArrayLike<T>) => idx.map((i) => a[i] as T);
      const x = pick(xFull);
      out.push({ label: s.key, run, kind: 'raw', x, y: pick(y) });
      out.push({ label: s.key, run, kind: 'smooth', x, y: pick(smooth) });
      const sd = s.stdKey ? cols.values[s.stdKey] : undefined;
      if (sd) {
        const sdSmooth = ema(sd, opt.smoothing);
        out.push({ label: `${s.key} + std`, run, kind: 'upper', x, y: idx.map((i) => add(smooth[i], sdSmooth[i], 1)) });
        out.push({ label: `${s.key} − std`, run, kind: 'lower', x, y: idx.map((i) => add(smooth[i], sdSmooth[i], -1)) });
      }
    }
  }
  return out;
}

function add(a: number | null | undefined, b: number | null | undefined, sign: number): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : a + sign * b;
}

/** Append new rows (already in columns) to a run's columns in place; keys first seen now are back-filled with null. */
export function appendColumns(into: MetricColumns, add: MetricColumns): void {
  const before = into.step.length;
  for (const s of add.step) into.step.push(s);
  for (const t of add.time) into.time.push(t);
  const n = add.step.length;
  for (const [k, col] of Object.entries(add.values)) {
    const target = (into.values[k] ??= new Array(before).fill(null));
    for (const v of col) target.push(v);
  }
  for (const [k, col] of Object.entries(into.values)) if (!(k in add.values)) for (let i = 0; i < n; i++) col.push(null);
}

/** Turn records (metrics.jsonl / eval.jsonl lines) into columns. Non-numeric fields (e.g. eval's "split") are skipped. */
export function toColumns(records: readonly Record<string, unknown>[]): MetricColumns {
  const cols: MetricColumns = { step: [], time: [], values: {} };
  records.forEach((r, i) => {
    cols.step.push(typeof r.step === 'number' ? r.step : i);
    cols.time.push(typeof r.time === 'number' ? r.time : NaN);
    for (const [k, v] of Object.entries(r)) {
      if (k === 'step' || k === 'time' || typeof v !== 'number') continue;
      const col = (cols.values[k] ??= new Array(i).fill(null));
      while (col.length < i) col.push(null);
      col.push(Number.isFinite(v) ? v : null);
    }
    for (const col of Object.values(cols.values)) while (col.length < i + 1) col.push(null);
  });
  return cols;
}

/** y range with a little air; a flat series gets a band around its value (uPlot's default for a constant 0 is 0–100). */
export function yRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) { const pad = Math.abs(min) * 0.1 || 0.1; return [min - pad, max + pad]; }
  const pad = (max - min) * 0.08;
  return [min - pad, max + pad];
}
