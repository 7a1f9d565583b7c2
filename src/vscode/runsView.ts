// The "Runs" tree in the ToolTune activity-bar container and the rollout diff documents it opens.
// Shape and content are pure (runsModel.ts, rolloutDocs.ts); this file adapts them to the vscode API.
import { join } from 'node:path';
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import { RUN_FILES, type EvalRecord, type RolloutRecord } from '../train/events';
import { listRuns, readJsonl } from '../train/runReader';
import { addressToParts, bestOf, diffTitle, documentText, findRollout, partsToAddress, ROLLOUT_SCHEME, showsRaw, type RolloutAddress } from './rolloutDocs';
import { rowChildren, runChildren, runLabel, stepChildren, stepsOfRow, type RunsNode } from './runsModel';

/** Rollout files can be large: keep the parsed records per run while the file's size and mtime are unchanged. */
export class RolloutCache {
  private readonly cache = new Map<string, { size: number; mtime: number; records: RolloutRecord[] }>();
  get(runDir: string): RolloutRecord[] {
    const file = join(runDir, RUN_FILES.rollouts);
    let st: { size: number; mtimeMs: number };
    try { st = statSync(file); } catch { return []; }
    const hit = this.cache.get(runDir);
    if (hit && hit.size === st.size && hit.mtime === st.mtimeMs) return hit.records;
    const records = readJsonl<RolloutRecord>(file).records;
    this.cache.set(runDir, { size: st.size, mtime: st.mtimeMs, records });
    return records;
  }
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  constructor(private readonly root: () => string | undefined, private readonly rollouts: RolloutCache, private readonly maxSteps: () => number) {}

  refresh(): void { this.changed.fire(undefined); }
  dispose(): void { this.changed.dispose(); }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) {
      const root = this.root();
      return root ? listRuns(root).map((run) => ({ kind: 'run' as const, run })) : [];
    }
    if (node.kind === 'run') {
      const evals = readJsonl<EvalRecord>(join(node.run.dir, RUN_FILES.eval)).records;
      return runChildren(node.run, evals, this.rollouts.get(node.run.dir), this.maxSteps());
    }
    if (node.kind === 'step') return stepChildren(node.runDir, node.step, this.rollouts.get(node.runDir));
    if (node.kind === 'row') return rowChildren(node.runDir, node.step, node.rowId, this.rollouts.get(node.runDir));
    return [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'run': {
        const l = runLabel(node.run);
        const item = new vscode.TreeItem(l.label, C.Collapsed);
        item.description = l.description;
        item.iconPath = new vscode.ThemeIcon(l.icon);
        item.contextValue = `run.${node.run.status}${node.run.hasFinal ? '.final' : ''}`;
        item.tooltip = node.run.dir;
        item.id = `run:${node.run.dir}`;
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.label, C.None);
        if (node.description !== undefined) item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.description ?? node.label;
        return item;
      }
      case 'step': {
        const item = new vscode.TreeItem(`step ${node.step}`, C.Collapsed);
        item.description = `${node.rows} rows · mean reward ${node.meanReward.toFixed(2)} · ${node.passed}/${node.total} correct`;
        item.iconPath = new vscode.ThemeIcon('layers');
        item.id = `step:${node.runDir}:${node.step}`;
        return item;
      }
      case 'row': {
        const item = new vscode.TreeItem(node.rowId, C.Collapsed);
        item.description = `best ${node.best.toFixed(2)} · ${node.passed}/${node.total} correct`;
        item.iconPath = new vscode.ThemeIcon(node.passed > 0 ? 'pass' : 'circle-outline');
        item.contextValue = 'row';
        item.id = `row:${node.runDir}:${node.step}:${node.rowId}`;
        return item;
      }
      case 'rollout': {
        const r = node.rollout;
        const item = new vscode.TreeItem(`#${r.sample} ${r.parsed[0]?.name ?? (r.completion.trim() ? '(unparsed)' : '(empty)')}`, C.None);
        item.description = `reward ${r.reward.toFixed(2)} · adv ${r.advantage >= 0 ? '+' : ''}${r.advantage.toFixed(2)}`;
        item.iconPath = new vscode.ThemeIcon(r.correct ? 'pass' : 'error', new vscode.ThemeColor(r.correct ? 'testing.iconPassed' : 'testing.iconFailed'));
        item.tooltip = r.completion;
        item.contextValue = 'rollout';
        item.id = `rollout:${node.runDir}:${r.step}:${r.row_id}:${r.sample}`;
        item.command = { command: 'tooltune.openRollout', title: 'Open Rollout Diff', arguments: [{ runDir: node.runDir, step: r.step, rowId: r.row_id, sample: r.sample }] };
        return item;
      }
    }
  }
}

export function rolloutUri(a: RolloutAddress, raw: boolean): vscode.Uri {
  const p = addressToParts(a, raw);
  return vscode.Uri.from({ scheme: ROLLOUT_SCHEME, path: p.path, query: p.query });
}

/** Read-only documents for the diff editor (a TextDocumentContentProvider's documents cannot be edited). */
export class RolloutContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly rollouts: RolloutCache) {}
  provideTextDocumentContent(uri: vscode.Uri): string {
    const a = partsToAddress(uri.path, uri.query);
    if (!a) return `Not a rollout address: ${uri.toString()}\n`;
    const r = findRollout(this.rollouts.get(a.runDir), a.step, a.rowId, a.sample);
    if (!r) return `Rollout ${a.rowId} #${a.sample} at step ${a.step} is not in ${join(a.runDir, RUN_FILES.rollouts)} (the run folder may have been deleted).\n`;
    return documentText(r, a.side);
  }
}

export interface RolloutArgs { runDir: string; step: number; rowId: string; sample: number }

export async function openRolloutDiff(rollouts: RolloutCache, args: RolloutArgs): Promise<void> {
  const r = findRollout(rollouts.get(args.runDir), args.step, args.rowId, args.sample);
  if (!r) { void vscode.window.showWarningMessage(`ToolTune: rollout ${args.rowId} #${args.sample} at step ${args.step} was not found in ${args.runDir}.`); return; }
  const base = { runDir: args.runDir, step: r.step, rowId: r.row_id, sample: r.sample };
  await vscode.commands.executeCommand('vscode.diff', rolloutUri({ ...base, side: 'expected' }, false), rolloutUri({ ...base, side: 'model' }, showsRaw(r)), diffTitle(r), { preview: true });
}

/** "Compare across steps": the row's best rollout at two steps, model output against model output. */
export async function compareRowAcrossSteps(rollouts: RolloutCache, node: { runDir: string; rowId: string; step: number }): Promise<void> {
  const records = rollouts.get(node.runDir);
  const steps = stepsOfRow(node.rowId, records);
  if (steps.length < 2) { void vscode.window.showInformationMessage(`ToolTune: row ${node.rowId} has rollouts at only one step; nothing to compare.`); return; }
  const pickStep = async (title: string, preselect: number, exclude?: number) => {
    const items = steps.filter((s) => s !== exclude).map((s) => {
      const best = bestOf(records, node.rowId, s)!;
      return { label: `step ${s}`, description: `best reward ${best.reward.toFixed(2)}${best.correct ? ' ✓' : ''}`, step: s, picked: s === preselect };
    });
    const chosen = await vscode.window.showQuickPick(items, { title, placeHolder: title });
    return chosen?.step;
  };
  const a = await pickStep(`Row ${node.rowId}: earlier step`, steps[0]!);
  if (a === undefined) return;
  const b = await pickStep(`Row ${node.rowId}: compare step ${a} with`, steps[steps.length - 1]!, a);
  if (b === undefined) return;
  const ra = bestOf(records, node.rowId, a)!; const rb = bestOf(records, node.rowId, b)!;
  const uri = (r: RolloutRecord) => rolloutUri({ runDir: node.runDir, step: r.step, rowId: r.row_id, sample: r.sample, side: 'model' }, showsRaw(r));
  await vscode.commands.executeCommand('vscode.diff', uri(ra), uri(rb), `${node.rowId}: best at step ${a} (${ra.reward.toFixed(2)}) ↔ step ${b} (${rb.reward.toFixed(2)})`);
}

