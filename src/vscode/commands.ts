// Command implementations. Each takes the Ctx; heavy modules are imported on first use so activation stays fast.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES, type EvalRecord } from '../train/events';
import { listRuns, readJsonl, runInputs, type RunSummary } from '../train/runReader';
import { pythonCandidates, runPreflight, explainPreflightFailure, formatReport } from './bootstrap';
import { cliInvocation, startCli } from './cliProcess';
import { SECTION } from './config';
import { UserError, type Ctx } from './ctx';
import { Dashboard } from './dashboard';
import { configPath, readProjectConfig, trainerConfigText, type ProjectChoices } from './projectConfig';
import { compareRowAcrossSteps, openRolloutDiff, type RolloutArgs } from './runsView';
import { TrainingSession } from './training';
import { splitForEval, trainArgs } from './trainArgs';
import { pickTrainingChoices, validateInputs } from './trainFlow';

export function dashboardDeps(ctx: Ctx) {
  return {
    extensionUri: ctx.extension.extensionUri, workspaceRoot: () => ctx.workspaceRoot(), output: ctx.output,
    pollIntervalMs: () => ctx.config.pollIntervalMs, activeRunId: () => ctx.training?.current.runId,
  };
}

/** Preflight the Python; on failure explain it and return undefined. */
async function ensurePython(ctx: Ctx, root: string): Promise<string | undefined> {
  const candidates = await pythonCandidates(ctx.config.pythonPath, vscode.workspace.isTrusted, vscode.Uri.file(root));
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'ToolTune: checking Python and torch…' }, () => runPreflight(candidates, root));
  if (!r.ok || !r.python) { await explainPreflightFailure(r, ctx.output); return undefined; }
  ctx.output.appendLine(`[preflight] ${r.python}: torch ${r.torchVersion} on ${r.device}${r.deviceName ? ` (${r.deviceName})` : ''}`);
  for (const p of r.problems) ctx.output.appendLine(`[preflight] note: ${p.message} — fix: ${p.fix}`);
  return r.python;
}

const cacheDir = (root: string) => { const d = join(root, '.tooltune', 'cache'); mkdirSync(d, { recursive: true }); return d; };

/** The trainer reads .tooltune/config.json by default; it gets a copy without the input keys (paths, split), which
 *  go as flags instead (after "split off N%" they name the split files). */
function trainerConfigFile(root: string): string | undefined {
  const file = configPath(root);
  if (!existsSync(file)) return undefined;
  const out = join(cacheDir(root), 'trainer-config.json');
  writeFileSync(out, trainerConfigText(readFileSync(file, 'utf8')));
  return out;
}

/** "Split off N%": write the two parts under .tooltune/cache/ and train on those. */
function applySplit(ctx: Ctx, root: string, c: ProjectChoices): ProjectChoices {
  if (c.eval_split === undefined || c.eval_data) return c;
  const s = splitForEval(readFileSync(join(root, c.data!), 'utf8'), c.eval_split);
  const dir = cacheDir(root);
  writeFileSync(join(dir, 'split-train.jsonl'), s.train);
  writeFileSync(join(dir, 'split-eval.jsonl'), s.eval);
  ctx.output.appendLine(`[train] held out ${s.evalRows} rows (${c.eval_split}%) of ${c.data} for eval`);
  return { ...c, data: join(dir, 'split-train.jsonl'), ...(s.evalRows ? { eval_data: join(dir, 'split-eval.jsonl') } : {}) };
}

async function launch(ctx: Ctx, root: string, choices: ProjectChoices, extra: string[]): Promise<void> {
  const python = await ensurePython(ctx, root);
  if (!python) return;
  const args = [...trainArgs(root, applySplit(ctx, root, choices), trainerConfigFile(root)), '--python', python, ...extra];
  const session = new TrainingSession(args, root, { ...process.env, TOOLTUNE_PYTHON: python }, {
    output: ctx.output, extensionPath: ctx.extensionPath,
    onRunStarted: (runId) => { ctx.runsTree.refresh(); Dashboard.notifyRunsChanged(); Dashboard.show(dashboardDeps(ctx), runId); },
    onStep: () => { /* the dashboard tails the run folder itself; the tree refreshes on expand */ },
    onEnded: () => { ctx.training = undefined; void vscode.commands.executeCommand('setContext', 'tooltune.training', false); ctx.runsTree.refresh(); Dashboard.notifyRunsChanged(); },
  });
  ctx.training = session;
  void vscode.commands.executeCommand('setContext', 'tooltune.training', true);
}

export async function train(ctx: Ctx): Promise<void> {
  ctx.requireTrust('Training');
  const root = ctx.requireRoot();
  if (ctx.training?.running) throw new UserError('A training run is already going: stop it first (ToolTune: Stop Training).');
  const choices = await pickTrainingChoices(root);
  if (!choices) return;
  if (!(await validateInputs(ctx, root, choices))) return;
  await launch(ctx, root, choices, []);
}

export async function stopTraining(ctx: Ctx): Promise<void> {
  if (!ctx.training?.running) { void vscode.window.showInformationMessage('ToolTune: no training run is going.'); return; }
  ctx.training.stop();
}

async function pickRun(ctx: Ctx, title: string, filter: (r: RunSummary) => boolean, empty: string): Promise<RunSummary | undefined> {
  const runs = listRuns(ctx.requireRoot()).filter(filter);
  if (!runs.length) throw new UserError(empty);
  const it = await vscode.window.showQuickPick(runs.map((r) => ({ label: r.id, description: `${r.status} · step ${r.step}${r.totalSteps ? `/${r.totalSteps}` : ''}`, run: r })), { title });
  return it?.run;
}

export async function resumeTraining(ctx: Ctx, arg?: { run?: RunSummary }): Promise<void> {
  ctx.requireTrust('Resuming training');
  const root = ctx.requireRoot();
  if (ctx.training?.running) throw new UserError('A training run is already going: stop it first.');
  const run = arg?.run ?? await pickRun(ctx, 'Resume which run?', (r) => r.status !== 'completed' && r.status !== 'running' && existsSync(join(r.dir, 'checkpoints')),
    'No stopped or failed run with a checkpoint under .tooltune/runs/.');
  if (!run) return;
  // The run folder holds its own config and input paths (the trainer reads them on --resume); the project's saved
  // choices are only a fallback for runs that predate recorded inputs.
  const inputs = runInputs(run.dir);
  const saved = readProjectConfig(root).choices;
  const choices: ProjectChoices = inputs.tools && inputs.data ? { tools: inputs.tools, data: inputs.data, ...(inputs.evalData ? { eval_data: inputs.evalData } : {}) } : saved;
  if (!choices.tools || !choices.data) throw new UserError(`${run.id} does not record its tools and data files, and .tooltune/config.json names none: run "ToolTune: Train Tool-Use Model" once, then resume.`);
  await launch(ctx, root, choices, ['--resume', run.dir]);
}

/** "Evaluate Model": the run's exported model answers its eval split greedily and is scored by the core
 *  (`tooltune eval --model RUN/final`, the table in the log), then the workspace's .tooltest cases run against it
 *  (`tooltune test … --run RUN_DIR`). The figures written during training go to the log first. */
export async function evaluateModel(ctx: Ctx, arg?: { run?: RunSummary }): Promise<void> {
  ctx.requireTrust('Evaluation');
  const root = ctx.requireRoot();
  const run = arg?.run ?? await pickRun(ctx, 'Evaluate which run\'s model?', (r) => r.hasFinal, 'No finished run with a final/ model under .tooltune/runs/.');
  if (!run) return;
  const evals = readJsonl<EvalRecord>(join(run.dir, RUN_FILES.eval)).records;
  const last = evals[evals.length - 1];
  if (last) {
    const pct = (k: string) => `${(100 * Number(last[k] ?? NaN)).toFixed(1)}%`;
    ctx.output.appendLine(`[eval] ${run.id} at step ${last.step} on ${last.n} rows: exact ${pct('eval/accuracy')}, name ${pct('eval/name_accuracy')}, ` +
      `args ${pct('eval/args_accuracy')}, format ${pct('eval/format_valid')}, no-call ${pct('eval/no_call_accuracy')}`);
  }
  const inputs = runInputs(run.dir);
  if (inputs.evalData && existsSync(inputs.evalData)) {
    await runCliTask(ctx, root, `Evaluating ${run.id} on ${inputs.evalData}`,
      ['eval', '--data', inputs.evalData, ...(inputs.tools ? ['--tools', inputs.tools] : []), '--model', join(run.dir, 'final')], false);
  } else {
    ctx.output.appendLine(`[eval] ${run.id} has no eval split on record${inputs.evalData ? ` (${inputs.evalData} is gone)` : ''}: only .tooltest cases run`);
  }
  const cases = (await vscode.workspace.findFiles('**/*.tooltest', '{**/node_modules/**,**/.tooltune/**}', 50)).map((u) => u.fsPath);
  if (!cases.length) {
    ctx.output.show(true);
    void vscode.window.showInformationMessage(`ToolTune: no .tooltest files in this folder to run against ${run.id}; the evaluation is in the log.`);
    return;
  }
  // `tooltune test` exits 1 when a case fails: that is a result, not a failure of the command.
  await runCliTask(ctx, root, `Running ${cases.length} .tooltest file${cases.length === 1 ? '' : 's'} against ${run.id}`, ['test', ...cases, '--run', run.dir], false,
    { 1: 'finished; some cases failed (see the log)' });
}

export async function exportModel(ctx: Ctx, arg?: { run?: RunSummary }): Promise<void> {
  ctx.requireTrust('Export');
  const root = ctx.requireRoot();
  const run = arg?.run ?? await pickRun(ctx, 'Export which run\'s model to ONNX?', (r) => r.hasFinal, 'No finished run with a final/ model under .tooltune/runs/.');
  if (!run) return;
  const variant = await vscode.window.showQuickPick([
    { label: 'fp32', description: 'onnx/model.onnx', detail: 'Exact: the same logits as the trained model.', int8: false },
    { label: 'fp32 + int8 head', description: 'also onnx/model_int8.onnx', detail: 'Faster CPU ghost text; `tooltune bench inline` measures speed and how often its answers equal fp32.', int8: true },
  ], { title: `Export ${run.id} to ONNX` });
  if (!variant) return;
  await runCliTask(ctx, root, `Exporting ${run.id} to ONNX`, ['export', '--run', run.dir, ...(variant.int8 ? ['--int8'] : [])], true);
}

/** Run a CLI command with a progress notification; its output goes to the output channel. */
async function runCliTask(ctx: Ctx, root: string, title: string, args: string[], needsPython: boolean,
  outcomes: Record<number, string> = {}): Promise<void> {
  const python = needsPython ? await ensurePython(ctx, root) : undefined;
  if (needsPython && !python) return;
  if (python) args = [...args, '--python', python];
  ctx.output.appendLine(`[${args[0]}] tooltune ${args.join(' ')}`);
  const code = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ToolTune: ${title}…`, cancellable: true }, (_p, token) => {
    const run = startCli(cliInvocation(ctx.extensionPath, args, { ...process.env, ...(python ? { TOOLTUNE_PYTHON: python } : {}) }), root, (l) => ctx.output.appendLine(l), (l) => ctx.output.appendLine(l));
    token.onCancellationRequested(() => run.child.kill('SIGINT'));
    return run.exited;
  });
  const known = code !== null ? outcomes[code] : undefined;
  const outcome = `${title} ${code === 0 ? 'finished' : known ?? `failed (exit code ${code})`}.`;
  ctx.output.appendLine(`[${args[0]}] ${outcome}`);
  const show = code === 0 ? vscode.window.showInformationMessage : known ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
  // Not awaited: a notification's promise settles only when the user answers or dismisses it, and a caller may have
  // more work queued (Evaluate Model runs the .tooltest cases after the evaluation).
  void show(`ToolTune: ${outcome}`, 'Show Log').then((choice) => { if (choice === 'Show Log') ctx.output.show(true); });
}

export async function selectPython(ctx: Ctx): Promise<void> {
  // it runs the chosen interpreter (the preflight), and the workspace setting it writes counts only when trusted
  ctx.requireTrust('Choosing the Python interpreter');
  const root = ctx.workspaceRoot();
  const candidates = await pythonCandidates(ctx.config.pythonPath, vscode.workspace.isTrusted, root ? vscode.Uri.file(root) : undefined);
  const items: (vscode.QuickPickItem & { value?: string; browse?: boolean })[] = [
    ...candidates.map((c) => ({ label: c.command, description: c.source, value: c.command })),
    { label: '$(folder-opened) Browse for an interpreter…', browse: true },
  ];
  const it = await vscode.window.showQuickPick(items, { title: 'Python for the ToolTune engine (needs torch)' });
  if (!it) return;
  let path = it.value;
  if (it.browse) path = (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this Python' }))?.[0]?.fsPath;
  if (!path) return;
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ToolTune: checking ${path}…` }, () => runPreflight([{ command: path!, source: 'your choice' }], root));
  if (!r.ok) { await explainPreflightFailure(r, ctx.output); return; }
  await vscode.workspace.getConfiguration(SECTION).update('pythonPath', path, root ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  ctx.output.appendLine(await formatReport(r));
  void vscode.window.showInformationMessage(`ToolTune: using ${path} (torch ${r.torchVersion}, ${r.device}).`);
}

export function openDashboard(ctx: Ctx, runId?: unknown): void {
  const id = typeof runId === 'string' ? runId : (runId as { run?: RunSummary } | undefined)?.run?.id;
  Dashboard.show(dashboardDeps(ctx), id);
}

export async function openRollout(ctx: Ctx, args: RolloutArgs | { rollout?: unknown; runDir?: string }): Promise<void> {
  const a = 'rollout' in args && args.rollout ? { runDir: args.runDir!, step: (args.rollout as { step: number }).step, rowId: (args.rollout as { row_id: string }).row_id, sample: (args.rollout as { sample: number }).sample } : (args as RolloutArgs);
  await openRolloutDiff(ctx.rollouts, a);
}

export async function compareAcrossSteps(ctx: Ctx, node: { runDir: string; rowId: string; step: number }): Promise<void> {
  await compareRowAcrossSteps(ctx.rollouts, node);
}
