// Typed getters for the `tooltune.*` settings (one per setting, as rust-analyzer's client does). Settings that name
// executables are ignored in an untrusted workspace: a workspace could otherwise point them at its own binary.
import * as vscode from 'vscode';
import { effectivePythonPath } from './trust';

export const SECTION = 'tooltune';

export class Config {
  constructor(private readonly isTrusted: () => boolean = () => vscode.workspace.isTrusted) {}

  private get cfg(): vscode.WorkspaceConfiguration { return vscode.workspace.getConfiguration(SECTION); }

  /** The Python to run the engine with; undefined = ask the Python extension, then python3. */
  get pythonPath(): string | undefined {
    // In restricted mode VS Code hands out only the user-level value of a restricted setting; take no chance.
    return effectivePythonPath(this.isTrusted(), this.cfg.inspect<string>('pythonPath'));
  }

  /** Milliseconds between polls of the run folder while a run is open in the dashboard or tree. */
  get pollIntervalMs(): number { return Math.max(100, this.cfg.get<number>('dashboard.pollIntervalMs', 500)); }

  /** Rollouts shown per step in the Runs tree (each row's G samples count once each). */
  get treeMaxSteps(): number { return Math.max(1, this.cfg.get<number>('runs.maxStepsInTree', 50)); }

  /** Load the newest model when a `.tooltest` file is opened (ghost text's first suggestion then skips the load). */
  get loadModelOnOpen(): boolean { return this.cfg.get<boolean>('inline.loadModelOnOpen', true); }

  /** Settings whose change needs no reload: all of them are read on use. Kept for the pattern and for tests. */
  affects(e: vscode.ConfigurationChangeEvent): boolean { return e.affectsConfiguration(SECTION); }
}
