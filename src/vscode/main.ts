// activate/deactivate. Activation only registers things (commands, views, providers); everything heavy (ajv, the
// Python preflight, the dashboard's data) loads on first use. The activate time is logged and asserted in e2e.
import * as vscode from 'vscode';
import * as commands from './commands';
import { Ctx, UserError } from './ctx';
import { Dashboard, DASHBOARD_VIEW_TYPE } from './dashboard';
import { ROLLOUT_SCHEME } from './rolloutDocs';
import { RolloutContentProvider } from './runsView';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const output = vscode.window.createOutputChannel('ToolTune');
  context.subscriptions.push(output);
  const c = (ctx = new Ctx(context, output));
  context.subscriptions.push(c);

  // Errors of commands are shown, not swallowed: a UserError as is, anything else with "see the log".
  const register = (id: string, fn: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: never[]) => {
    try { await fn(...args); } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof UserError) { void vscode.window.showErrorMessage(`ToolTune: ${msg}`); return; }
      output.appendLine(`[error] ${id}: ${e instanceof Error ? e.stack ?? msg : msg}`);
      void vscode.window.showErrorMessage(`ToolTune: ${msg}`, 'Show Log').then((x) => { if (x) output.show(true); });
    }
  }));
  register('tooltune.train', () => commands.train(c));
  register('tooltune.stopTraining', () => commands.stopTraining(c));
  register('tooltune.resumeTraining', (arg?: never) => commands.resumeTraining(c, arg));
  register('tooltune.openDashboard', (arg?: never) => commands.openDashboard(c, arg));
  register('tooltune.evaluateModel', (arg?: never) => commands.evaluateModel(c, arg));
  register('tooltune.exportModel', (arg?: never) => commands.exportModel(c, arg));
  register('tooltune.selectPython', () => commands.selectPython(c));
  register('tooltune.openRollout', (arg: never) => commands.openRollout(c, arg));
  register('tooltune.compareAcrossSteps', (arg: never) => commands.compareAcrossSteps(c, arg));
  register('tooltune.refreshRuns', () => c.runsTree.refresh());
  register('tooltune.showLog', () => output.show(true));

  // Each registration is timed: the activate budget (≤ 50 ms) is asserted in the e2e test.
  const marks: string[] = [];
  let tm = performance.now();
  const mark = (what: string) => { const now = performance.now(); marks.push(`${what} ${(now - tm).toFixed(1)}`); tm = now; };
  mark('commands');
  context.subscriptions.push(vscode.window.createTreeView('tooltune.runs', { treeDataProvider: c.runsTree, showCollapseAll: true }));
  mark('tree');
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(ROLLOUT_SCHEME, new RolloutContentProvider(c.rollouts)));
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel) => Dashboard.revive(panel, commands.dashboardDeps(c)),
  }));
  mark('providers');
  // New run folders appear while a run starts or from the CLI in a terminal: refresh the tree then.
  const root = c.workspaceRoot();
  if (root) {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, '.tooltune/runs/*/status.json'));
    const refresh = () => c.runsTree.refresh();
    context.subscriptions.push(w, w.onDidCreate(refresh), w.onDidChange(refresh), w.onDidDelete(refresh));
  }
  mark('watcher');

  // Inline completions and the .tooltest TestController (the inference engineer's), loaded lazily.
  void import('./inference/index').then((m) => m.activateInference(context, {
    output,
    latestModelDir: async () => {
      const r = c.workspaceRoot();
      if (!r) return undefined;
      const { listRuns } = await import('../train/runReader');
      return listRuns(r).find((x) => x.hasFinal)?.dir.concat('/final');
    },
    loadModelOnOpen: () => c.config.loadModelOnOpen,
  })).catch((e: unknown) => output.appendLine(`[inference] not available: ${e instanceof Error ? e.message : String(e)}`));

  const t1 = performance.now();
  // Wall time and CPU time: on a busy 2-core machine the extension host thread can be descheduled mid-activate,
  // which shows in wall time only.
  const cpu = process.cpuUsage(cpu0);
  output.appendLine(`ToolTune activated in ${(t1 - t0).toFixed(1)} ms, ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms CPU (${marks.join(', ')} ms)`);
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
