// The dashboard panel's host side. The host owns the data: it reads the run folder and tails its files; the webview
// (webview/main.ts) only draws. A reloaded window restores the panel through the serializer and the webview asks
// for its runs again, so nothing is lost (the run folder is the source of truth).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isRequest, type DashboardEvents, type DashboardRequests, type EventName, type HostToWebview, type RequestName, type RolloutRow } from '../../webview/protocol';
import type { EvalRecord, RolloutRecord, StepMetrics } from '../train/events';
import { RUN_FILES } from '../train/events';
import { JsonlTail, listRuns, readRun, summarizeRun } from '../train/runReader';
import { columnsOf, latestRollouts, runInfo, snapshot } from './dashboardData';
import { DisposableStore, toDisposable } from './disposable';

export const DASHBOARD_VIEW_TYPE = 'tooltune.dashboard';

export interface DashboardDeps {
  extensionUri: vscode.Uri;
  workspaceRoot: () => string | undefined;
  output: vscode.OutputChannel;
  pollIntervalMs: () => number;
  /** The run the Train command is running (suggested when the dashboard opens). */
  activeRunId: () => string | undefined;
}

/** Follows one run folder's three JSONL files. */
class RunTail {
  private readonly metrics: JsonlTail<StepMetrics>;
  private readonly evals: JsonlTail<EvalRecord>;
  private readonly rollouts: JsonlTail<RolloutRecord>;
  constructor(readonly dir: string) {
    this.metrics = new JsonlTail(join(dir, RUN_FILES.metrics));
    this.evals = new JsonlTail(join(dir, RUN_FILES.eval));
    this.rollouts = new JsonlTail(join(dir, RUN_FILES.rollouts));
  }
  /** Skip what the snapshot already holds. */
  skipAll(): void { this.metrics.poll(); this.evals.poll(); this.rollouts.poll(); }
  poll(): DashboardEvents['append'] | undefined {
    const m = this.metrics.poll(); const e = this.evals.poll(); const r = this.rollouts.poll();
    if (!m.records.length && !e.records.length && !r.records.length && !m.reset) return undefined;
    const id = this.dir.split(/[\\/]/).pop()!;
    return { runId: id, metrics: columnsOf(m.records), evals: columnsOf(e.records), rollouts: latestRollouts(r.records) as RolloutRow[],
      reset: m.reset, run: runInfo(summarizeRun(this.dir)) };
  }
}

export class Dashboard {
  private static current: Dashboard | undefined;
  private readonly store = new DisposableStore();
  private readonly tails = new Map<'primary' | 'overlay', RunTail>();
  private timer: NodeJS.Timeout | undefined;

  static show(deps: DashboardDeps, runId?: string): Dashboard {
    if (Dashboard.current) {
      Dashboard.current.panel.reveal(undefined, true);
    } else {
      const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'ToolTune Dashboard', { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
        Dashboard.webviewOptions(deps.extensionUri));
      Dashboard.current = new Dashboard(panel, deps);
    }
    if (runId) Dashboard.current.emit('show', { runId });
    return Dashboard.current;
  }

  /** Restores the panel after a window reload (registered in main.ts). */
  static revive(panel: vscode.WebviewPanel, deps: DashboardDeps): void {
    panel.webview.options = Dashboard.webviewOptions(deps.extensionUri);
    Dashboard.current?.dispose();
    Dashboard.current = new Dashboard(panel, deps);
  }

  /** Tell an open dashboard that the runs changed (a run started or ended). */
  static notifyRunsChanged(): void { Dashboard.current?.pushRuns(); }
  static showRun(runId: string): void { Dashboard.current?.emit('show', { runId }); }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    // Only the bundle folder is readable by the page; scripts on, no command URIs.
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')], retainContextWhenHidden: false };
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: DashboardDeps) {
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'tooltune.svg');
    panel.webview.html = this.html();
    this.store.add(panel.webview.onDidReceiveMessage((m: unknown) => { void this.onMessage(m); }));
    this.store.add(panel.onDidDispose(() => this.dispose()));
    this.store.add(toDisposable(() => { if (this.timer) clearInterval(this.timer); }));
  }

  dispose(): void {
    if (Dashboard.current === this) Dashboard.current = undefined;
    this.store.dispose();
    this.panel.dispose();
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const asset = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'dist', f)).toString();
    // Strict CSP: no inline script; styles from the bundle (the toolkit adopts constructed stylesheets, which CSP
    // allows); images only from the bundle.
    const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('webview.css')}">
<title>ToolTune Dashboard</title></head>
<body>
<header class="toolbar">
  <label>Run <vscode-dropdown id="run-picker" aria-label="Run"></vscode-dropdown></label>
  <label>Overlay <vscode-dropdown id="overlay-picker" aria-label="Overlay run"></vscode-dropdown></label>
  <label>x axis <vscode-dropdown id="x-axis" aria-label="x axis"><vscode-option value="step">step</vscode-option><vscode-option value="time">wall time (s)</vscode-option></vscode-dropdown></label>
  <label for="smoothing">Smoothing <input id="smoothing" type="range" min="0" max="0.99" step="0.01" aria-label="Smoothing"><span id="smoothing-value"></span></label>
</header>
<p id="run-status" role="status">Loading…</p>
<p id="learnability" hidden></p>
<main id="charts" aria-label="Training charts"></main>
<h2>Latest rollouts</h2>
<table id="rollouts" aria-label="Latest rollouts"></table>
<script nonce="${nonce}" src="${asset('webview.js')}"></script>
</body></html>`;
  }

  private emit<K extends EventName>(event: K, data: DashboardEvents[K]): void {
    const msg: HostToWebview = { kind: 'event', event, data };
    void this.panel.webview.postMessage(msg);
  }

  private pushRuns(): void {
    const root = this.deps.workspaceRoot();
    this.emit('runs', { runs: root ? listRuns(root).map(runInfo) : [] });
  }

  private runDir(runId: string): string {
    const root = this.deps.workspaceRoot();
    if (!root) throw new Error('open a folder first: runs live in <folder>/.tooltune/runs/');
    if (runId.includes('/') || runId.includes('\\') || runId.startsWith('.')) throw new Error(`not a run name: ${runId}`);
    return join(root, '.tooltune', 'runs', runId);
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isRequest(m)) return;
    let reply: HostToWebview;
    try {
      reply = { kind: 'reply', id: m.id, ok: true, result: await this.handle(m.method, m.params as never) };
    } catch (e) {
      reply = { kind: 'reply', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    void this.panel.webview.postMessage(reply);
  }

  private async handle<K extends RequestName>(method: K, params: DashboardRequests[K][0]): Promise<DashboardRequests[K][1]> {
    type R = DashboardRequests[K][1];
    switch (method) {
      case 'listRuns': {
        const root = this.deps.workspaceRoot();
        const runs = root ? listRuns(root).map(runInfo) : [];
        const active = this.deps.activeRunId();
        return { runs, ...(active ?? runs[0]?.id ? { suggested: active ?? runs[0]!.id } : {}) } as R;
      }
      case 'openRun': {
        const p = params as DashboardRequests['openRun'][0];
        const dir = this.runDir(p.runId);
        const tail = new RunTail(dir);
        tail.skipAll();                      // the snapshot below covers everything up to now…
        const snap = snapshot(readRun(dir)); // …(a line landing in between is sent twice at worst: charts tolerate it)
        this.tails.set(p.slot, tail);
        this.ensurePolling();
        return snap as R;
      }
      case 'closeRun': { this.tails.delete('overlay'); return {} as R; }
      case 'openRollout': {
        const p = params as DashboardRequests['openRollout'][0];
        await vscode.commands.executeCommand('tooltune.openRollout', { runDir: this.runDir(p.runId), step: p.step, rowId: p.row_id, sample: p.sample });
        return {} as R;
      }
      case 'reportTiming': {
        const p = params as DashboardRequests['reportTiming'][0];
        this.deps.output.appendLine(`[dashboard] ${p.what}: ${p.ms.toFixed(1)} ms for ${p.points} points`);
        return {} as R;
      }
      default: throw new Error(`unknown request ${String(method)}`);
    }
  }

  private ensurePolling(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.poll(), this.deps.pollIntervalMs());
  }

  private poll(): void {
    if (!this.panel.visible) return;           // a hidden panel catches up when shown (the tail keeps its offset)
    for (const tail of this.tails.values()) {
      try { const ev = tail.poll(); if (ev) this.emit('append', ev); } catch (e) {
        this.deps.output.appendLine(`[dashboard] could not read ${tail.dir}: ${(e as Error).message}`);
      }
    }
  }
}
