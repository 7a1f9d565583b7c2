// uPlot charts of the dashboard. Raw lines translucent, smoothed lines solid (STYLE.md), the overlay run dashed,
// colours from VS Code's theme variables so light, dark and high-contrast themes all read.
import uPlot from 'uplot';
import { align, chartLines, yRange, type Aligned, type BuildOptions } from './chartData';
import type { ChartSpec } from './chartSpecs';
import type { MetricColumns } from './protocol';

export interface RunCols { run: 'primary' | 'overlay'; metrics: MetricColumns; evals: MetricColumns }

const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** `#rrggbb` or `rgb(...)` with an alpha, for the translucent raw line. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color);
  if (hex) {
    const n = parseInt(hex[1]!, 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/.exec(color);
  if (rgb) { const [r, g, b] = rgb[1]!.split(',').map((s) => s.trim()); return `rgba(${r}, ${g}, ${b}, ${alpha})`; }
  return color;
}

interface Chart { spec: ChartSpec; plot?: uPlot; signature: string; el: HTMLElement; body: HTMLElement; empty: HTMLElement; legend: HTMLElement }



export class ChartGrid {
  private readonly charts = new Map<string, Chart>();
  constructor(private readonly root: HTMLElement) {}

  /** Draw every spec for the given runs; returns the points drawn and where the time went (for the timing report). */
  render(specs: ChartSpec[], runs: RunCols[], opt: Omit<BuildOptions, 'maxPoints'>): { points: number; assembleMs: number; plotMs: number } {
    const wanted = new Set(specs.map((s) => s.id));
    for (const [id, c] of this.charts) if (!wanted.has(id)) { c.plot?.destroy(); c.el.remove(); this.charts.delete(id); }
    let points = 0; let assembleMs = 0; let plotMs = 0;
    specs.forEach((spec, order) => {
      const chart = this.chartFor(spec, order);
      const width = Math.max(200, chart.body.clientWidth || 320);
      const t0 = performance.now();
      const lines = chartLines(runs.map((r) => ({ run: r.run, cols: spec.source === 'evals' ? r.evals : r.metrics })), spec.series,
        { ...opt, maxPoints: Math.max(200, Math.round(width * 1.5)) });
      const data = align(lines);
      const t1 = performance.now();
      chart.empty.hidden = data.x.length > 0;
      points += data.x.length * data.ys.length;
      this.draw(chart, data, width, opt.xAxis);
      assembleMs += t1 - t0; plotMs += performance.now() - t1;
    });
    return { points, assembleMs, plotMs };
  }

  /** Theme changed: colours are baked into series options, so rebuild. */
  restyle(): void { for (const c of this.charts.values()) { c.plot?.destroy(); c.plot = undefined; c.signature = ''; } }

  private chartFor(spec: ChartSpec, order: number): Chart {
    let c = this.charts.get(spec.id);
    if (!c) {
      const el = document.createElement('section');
      el.className = 'chart';
      el.dataset.chart = spec.id;
      const h = document.createElement('h3');
      h.textContent = spec.title;
      const body = document.createElement('div');
      body.className = 'chart-body';
      const empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = 'no points yet';
      const legend = document.createElement('div');
      legend.className = 'legend';
      el.append(h, empty, body, legend);
      c = { spec, el, body, empty, legend, signature: '' };
      this.charts.set(spec.id, c);
    }
    c.spec = spec;
    // Keep DOM order equal to spec order (a reward part may appear mid-run).
    const at = this.root.children[order];
    if (at !== c.el) this.root.insertBefore(c.el, at ?? null);
    return c;
  }

  private draw(c: Chart, data: Aligned, width: number, xAxis: 'step' | 'time'): void {
    const signature = `${xAxis}|${data.lines.map((l) => `${l.run}:${l.kind}:${l.label}`).join(',')}`;
    const aligned = [data.x, ...data.ys] as uPlot.AlignedData;
    if (c.plot && c.signature === signature) {
      c.plot.setData(aligned);
      if (Math.abs(c.plot.width - width) > 4) c.plot.setSize({ width, height: 170 });
      return;
    }
    c.plot?.destroy();
    c.signature = signature;
    const opts = this.options(c.spec, data, width, xAxis);
    c.plot = new uPlot(opts, aligned, c.body);
    // A compact legend of the solid (smoothed) lines, when there is more than one to tell apart.
    const solid = opts.series.slice(1).filter((_, i) => data.lines[i]!.kind === 'smooth');
    c.legend.replaceChildren(...(solid.length > 1 ? solid.map((s) => {
      const item = document.createElement('span');
      const sw = document.createElement('i');
      sw.style.background = String(s.stroke);
      item.append(sw, document.createTextNode(String(s.label)));
      return item;
    }) : []));
  }

  private options(spec: ChartSpec, data: Aligned, width: number, xAxis: 'step' | 'time'): uPlot.Options {
    const fg = cssVar('--vscode-foreground', '#ccc');
    const bg = cssVar('--vscode-editor-background', '#1e1e1e');
    const grid = withAlpha(cssVar('--vscode-editorWidget-border', '#454545'), 0.5);
    const keys = [...new Set(data.lines.map((l) => l.label.replace(/ [+−] std$/, '')))];
    // One colour per metric; with a single metric the overlay run takes the second colour (and is dashed), with
    // several it keeps each metric's colour and only the dash tells the runs apart.
    const colorOf = (label: string, run: 'primary' | 'overlay') => {
      const k = keys.indexOf(label.replace(/ [+−] std$/, ''));
      const i = (keys.length === 1 && run === 'overlay' ? 1 : k) % PALETTE.length;
      return cssVar(PALETTE[i]!, FALLBACK[i]!);
    };
    const series: uPlot.Series[] = [{ label: xAxis === 'time' ? 'seconds' : 'step' }];
    const bands: uPlot.Band[] = [];
    data.lines.forEach((l, i) => {
      const color = colorOf(l.label, l.run);
      const dash = l.run === 'overlay' ? [6, 4] : undefined;
      const label = `${l.run === 'overlay' ? '▸ ' : ''}${l.label}${l.kind === 'raw' ? ' (raw)' : ''}`;
      // Point markers (shown by uPlot for sparse series such as evals) are filled with the editor background.
      if (l.kind === 'raw') series.push({ label, stroke: withAlpha(color, 0.3), width: 1, spanGaps: true, points: { fill: bg }, ...(dash ? { dash } : {}) });
      else if (l.kind === 'smooth') series.push({ label, stroke: color, width: 2, spanGaps: true, points: { fill: bg }, ...(dash ? { dash } : {}) });
      else series.push({ label, stroke: withAlpha(color, 0.15), width: 1, spanGaps: true, show: true, points: { show: false } });
      if (l.kind === 'upper' && data.lines[i + 1]?.kind === 'lower') bands.push({ series: [i + 1, i + 2], fill: withAlpha(color, 0.12) });
    });
    return {
      width, height: 170, series, bands,
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, y: spec.unit ? { range: [0, 1] as uPlot.Range.MinMax } : { range: (_u, min, max) => yRange(min, max) } },
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 50 },
      ],
    };
  }
}
