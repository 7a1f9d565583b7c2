// One object that owns what the extension holds while active: the output channel, config, the diagnostic
// collection, the runs tree, the active training session (rust-analyzer's ctx.ts plays the same role).
import * as vscode from 'vscode';
import { trustGate, type GatedFeature } from './trust';
import { Config } from './config';
import { DisposableStore } from './disposable';
import { RolloutCache, RunsTreeProvider } from './runsView';
import type { TrainingSession } from './training';

export class Ctx implements vscode.Disposable {
  readonly store = new DisposableStore();
  readonly config = new Config();
  readonly diagnostics: vscode.DiagnosticCollection;
  readonly rollouts = new RolloutCache();
  readonly runsTree: RunsTreeProvider;
  training: TrainingSession | undefined;

  constructor(readonly extension: vscode.ExtensionContext, readonly output: vscode.OutputChannel) {
    this.diagnostics = this.store.add(vscode.languages.createDiagnosticCollection('tooltune'));
    this.runsTree = this.store.add(new RunsTreeProvider(() => this.workspaceRoot(), this.rollouts, () => this.config.treeMaxSteps));
  }

  get extensionPath(): string { return this.extension.extensionUri.fsPath; }

  /** The first workspace folder (runs live in <folder>/.tooltune/runs/). */
  workspaceRoot(): string | undefined { return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath; }

  requireRoot(): string {
    const r = this.workspaceRoot();
    if (!r) throw new UserError('Open a folder first: ToolTune keeps its config and runs in <folder>/.tooltune/.');
    return r;
  }

  /** Commands that start processes refuse in an untrusted workspace (package.json also hides them there). */
  requireTrust(what: GatedFeature): void {
    const refusal = trustGate(vscode.workspace.isTrusted, what);
    if (refusal) throw new UserError(refusal);
  }

  dispose(): void { this.training?.dispose(); this.store.dispose(); }
}

/** An error whose message is for the user as is (no stack, no "internal error"). */
export class UserError extends Error {}
