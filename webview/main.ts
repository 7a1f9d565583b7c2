// The dashboard webview: draws what the extension host sends and keeps only view state (webview/protocol.ts).
/// <reference types="vscode-webview" />
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDropdown, vsCodeOption } from '@vscode/webview-ui-toolkit';
import { appendColumns } from './chartData';
import { ChartGrid, type RunCols } from './charts';
import { chartSpecs, keysOf } from './chartSpecs';
import { learnabilityText } from './learnability';
import { DEFAULT_VIEW_STATE, type HostToWebview, type RunInfo, type RunSnapshot, type ViewState } from './protocol';
import { renderTable } from './rolloutTable';
import { HostClient } from './rpc';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDropdown(), vsCodeOption());

const vscodeApi = acquireVsCodeApi<ViewState>();
const host = new HostClient(vscodeApi);
window.addEventListener('message', (e: MessageEvent<HostToWebview>) => host.dispatch(e.data));

let state: ViewState = { ...DEFAULT_VIEW_STATE, ...(vscodeApi.getState() ?? {}) };
const saveState = () => vscodeApi.setState(state);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const primaryPick = $<HTMLSelectElement>('run-picker');
const overlayPick = $<HTMLSelectElement>('overlay-picker');
const xPick = $<HTMLSelectElement>('x-axis');
const slider = $<HTMLInputElement>('smoothing');
const sliderValue = $<HTMLElement>('smoothing-value');
const statusEl = $<HTMLElement>('run-status');
const learnEl = $<HTMLElement>('learnability');
const table = $<HTMLTableElement>('rollouts');
const grid = new ChartGrid($('charts'));

const slots: { primary?: RunSnapshot; overlay?: RunSnapshot } = {};
let runs: RunInfo[] = [];

function fillPicker(sel: HTMLSelectElement, value: string | undefined, withNone: boolean): void {
  const opts = [...(withNone ? [{ id: '', label: '(no overlay)' }] : []), ...runs.map((r) => ({ id: r.id, label: `${r.id} — ${r.status}` }))];
  sel.replaceChildren(...opts.map((o) => {
    const opt = document.createElement('vscode-option') as HTMLElement & { value: string };
    opt.setAttribute('value', o.id);
    opt.textContent = o.label;
    if (o.id === (value ?? '')) opt.setAttribute('selected', '');
    return opt;
  }));
  sel.value = value ?? '';
}

function describe(run: RunInfo): string {
  const total = run.totalSteps ? `/${run.totalSteps}` : '';
  return `${run.id} · step ${run.step}${total} · ${run.status}`;
}

let drawQueued = false;
/** Coalesce bursts of steps into one redraw per animation frame (a 20,000-step run stays smooth). */
function scheduleDraw(): void {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => { drawQueued = false; draw(); });
}

let firstDrawReported = false;
function draw(): void {
  const t0 = performance.now();
  const runCols: RunCols[] = [];
  if (slots.primary) runCols.push({ run: 'primary', metrics: slots.primary.metrics, evals: slots.primary.evals });
  if (slots.overlay) runCols.push({ run: 'overlay', metrics: slots.overlay.metrics, evals: slots.overlay.evals });
  const mk = new Set(runCols.flatMap((r) => keysOf(r.metrics)));
  const ek = new Set(runCols.flatMap((r) => keysOf(r.evals)));
  const { points, assembleMs, plotMs } = grid.render(chartSpecs(mk, ek), runCols, { smoothing: state.smoothing, xAxis: state.xAxis });
  statusEl.textContent = slots.primary ? describe(slots.primary.run) + (slots.overlay ? `   ▸ overlay ${describe(slots.overlay.run)}` : '') : 'No run yet: start one with "ToolTune: Train Tool-Use Model".';
  learnEl.textContent = learnabilityText(slots.primary?.evals);
  learnEl.hidden = !learnEl.textContent;
  renderTable(table, slots.primary?.rollouts ?? [], state.sort, onSort, onOpen);
  const ms = performance.now() - t0;
  // Exposed for the e2e test and the benchmark: how long the last redraw took, and how much it drew.
  document.body.dataset.lastDrawMs = ms.toFixed(1);
  document.body.dataset.points = String(points);
  document.body.dataset.assembleMs = assembleMs.toFixed(1);
  document.body.dataset.plotMs = plotMs.toFixed(1);
  document.body.dataset.steps = String(slots.primary?.metrics.step.length ?? 0);
  document.body.dataset.primary = slots.primary?.run.id ?? '';
  document.body.dataset.overlay = slots.overlay?.run.id ?? '';
  if (!firstDrawReported && points > 0) {
    firstDrawReported = true;
    void host.request('reportTiming', { what: 'first draw', ms, points });
  }
}

function onSort(key: string): void {
  state = { ...state, sort: { key, descending: state.sort.key === key ? !state.sort.descending : true } };
  saveState();
  draw();
}

function onOpen(r: { step: number; row_id: string; sample: number }): void {
  if (!slots.primary) return;
  void host.request('openRollout', { runId: slots.primary.run.id, step: r.step, row_id: r.row_id, sample: r.sample });
}

async function openSlot(slot: 'primary' | 'overlay', runId: string | undefined): Promise<void> {
  if (!runId) {
    delete slots[slot];
    if (slot === 'overlay') await host.request('closeRun', { slot: 'overlay' });
  } else {
    try { slots[slot] = await host.request('openRun', { runId, slot }); } catch (e) {
      statusEl.textContent = `Could not open run ${runId}: ${(e as Error).message}`;
      delete slots[slot];
    }
  }
  state = { ...state, [slot]: runId || undefined };
  saveState();
  scheduleDraw();
}

host.on('append', (ev) => {
  for (const slot of ['primary', 'overlay'] as const) {
    const snap = slots[slot];
    if (!snap || snap.run.id !== ev.runId) continue;
    if (ev.reset) { snap.metrics = ev.metrics; snap.evals = ev.evals; } else { appendColumns(snap.metrics, ev.metrics); appendColumns(snap.evals, ev.evals); }
    if (ev.rollouts.length) snap.rollouts = ev.rollouts;
    snap.run = ev.run;
  }
  scheduleDraw();
});
host.on('runs', (ev) => {
  runs = ev.runs;
  fillPicker(primaryPick, state.primary, false);
  fillPicker(overlayPick, state.overlay, true);
});
host.on('show', (ev) => {
  if (!runs.some((r) => r.id === ev.runId)) runs = [{ id: ev.runId, status: 'starting', step: 0 }, ...runs];
  fillPicker(primaryPick, ev.runId, false);
  void openSlot('primary', ev.runId);
});

primaryPick.addEventListener('change', () => { void openSlot('primary', primaryPick.value); });
overlayPick.addEventListener('change', () => { void openSlot('overlay', overlayPick.value || undefined); });
xPick.addEventListener('change', () => { state = { ...state, xAxis: xPick.value === 'time' ? 'time' : 'step' }; saveState(); scheduleDraw(); });
slider.addEventListener('input', () => {
  state = { ...state, smoothing: Number(slider.value) };
  sliderValue.textContent = state.smoothing.toFixed(2);
  saveState();
  scheduleDraw();
});
// VS Code swaps body classes (vscode-light / vscode-dark / vscode-high-contrast) on a theme change.
new MutationObserver(() => { grid.restyle(); scheduleDraw(); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
window.addEventListener('resize', scheduleDraw);

async function start(): Promise<void> {
  slider.value = String(state.smoothing);
  sliderValue.textContent = state.smoothing.toFixed(2);
  xPick.value = state.xAxis;
  const list = await host.request('listRuns', {});
  runs = list.runs;
  const primary = runs.some((r) => r.id === state.primary) ? state.primary : list.suggested ?? runs[0]?.id;
  fillPicker(primaryPick, primary, false);
  const overlay = runs.some((r) => r.id === state.overlay) ? state.overlay : undefined;
  fillPicker(overlayPick, overlay, true);
  await openSlot('primary', primary);
  if (overlay) await openSlot('overlay', overlay);
  draw();
}
void start();
