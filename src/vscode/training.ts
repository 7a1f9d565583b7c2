// One training run started from VS Code: the `tooltune train --events jsonl` child, its events folded into a
// TrainingState, one status-bar item while it runs, and one notification when it ends or fails (STYLE.md "quiet UI").
import * as vscode from 'vscode';
import type { TrainEvent } from '../train/events';
import { cliInvocation, startCli, type RunningCli } from './cliProcess';
import { DisposableStore } from './disposable';
import { endMessage, initialState, reduce, statusBarText, type TrainingState } from './trainingState';

export interface TrainingHooks {
  output: vscode.OutputChannel;
  extensionPath: string;
  onRunStarted(runId: string, runDir: string): void;
  onStep(): void;
  onEnded(state: TrainingState): void;
}

export class TrainingSession implements vscode.Disposable {
  private state: TrainingState = initialState();
  private readonly store = new DisposableStore();
  private readonly item: vscode.StatusBarItem;
  private cli: RunningCli | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private lastStderr: string | undefined;
  readonly finished: Promise<TrainingState>;

  constructor(args: string[], cwd: string, env: NodeJS.ProcessEnv, private readonly hooks: TrainingHooks) {
    this.item = this.store.add(vscode.window.createStatusBarItem('tooltune.training', vscode.StatusBarAlignment.Left, 10));
    this.item.name = 'ToolTune Training';
    this.item.command = 'tooltune.openDashboard';
    this.item.tooltip = 'ToolTune training — click to open the dashboard';
    this.render();
    this.item.show();
    const inv = cliInvocation(hooks.extensionPath, ['train', ...args, '--events', 'jsonl'], env);
    hooks.output.appendLine(`[train] ${inv.args.slice(1).join(' ')}   (cwd ${cwd})`);
    this.cli = startCli(inv, cwd, (line) => this.onStdout(line), (line) => { hooks.output.appendLine(line); if (line.trim()) this.lastStderr = line.trim(); });
    this.finished = this.cli.exited.then((code) => this.onExit(code));
  }

  get current(): TrainingState { return this.state; }
  get running(): boolean { return this.cli !== undefined; }

  /** SIGINT: the trainer finishes its step, writes a checkpoint and exits 0 (events.ts contract). */
  stop(): void {
    if (!this.cli) return;
    this.state = { ...this.state, status: 'stopping' };
    this.render();
    this.cli.child.kill('SIGINT');
    // A trainer stuck in a long step gets two minutes before a hard kill.
    this.killTimer = setTimeout(() => { this.hooks.output.appendLine('[train] no exit 120 s after SIGINT; killing'); this.cli?.child.kill('SIGKILL'); }, 120_000);
  }

  dispose(): void {
    if (this.cli) this.cli.child.kill('SIGINT');
    if (this.killTimer) clearTimeout(this.killTimer);
    this.store.dispose();
  }

  private onStdout(line: string): void {
    let ev: TrainEvent;
    try { ev = JSON.parse(line) as TrainEvent; } catch { this.hooks.output.appendLine(line); return; }
    if (typeof ev !== 'object' || ev === null || typeof (ev as { type?: unknown }).type !== 'string') { this.hooks.output.appendLine(line); return; }
    const wasStopping = this.state.status === 'stopping';
    this.state = reduce(this.state, ev);
    if (wasStopping && this.state.status === 'running') this.state = { ...this.state, status: 'stopping' };
    switch (ev.type) {
      case 'run_started': this.hooks.output.appendLine(`[train] run folder ${ev.run_dir}`); if (this.state.runId) this.hooks.onRunStarted(this.state.runId, ev.run_dir); break;
      case 'log': this.hooks.output.appendLine(`[${ev.level}] ${ev.message}`); break;
      case 'phase': this.hooks.output.appendLine(`[phase] ${ev.phase}${ev.message ? `: ${ev.message}` : ''}`); break;
      case 'checkpoint': this.hooks.output.appendLine(`[checkpoint] step ${ev.step} → ${ev.path}`); break;
      case 'eval': this.hooks.output.appendLine(`[eval] step ${ev.record.step}: accuracy ${(100 * ev.record['eval/accuracy']).toFixed(1)}% (n=${ev.record.n})`); break;
      case 'step': this.hooks.onStep(); break;
      case 'run_finished': this.hooks.output.appendLine(`[train] ${ev.status}${ev.error ? `: ${ev.error}` : ''}`); break;
      default: break;
    }
    this.render();
  }

  private render(): void { this.item.text = statusBarText(this.state); }

  private onExit(code: number | null): TrainingState {
    this.cli = undefined;
    if (this.killTimer) clearTimeout(this.killTimer);
    if (this.state.status === 'running' || this.state.status === 'starting' || this.state.status === 'stopping') {
      // No run_finished event: a SIGINT exit 0 is a stop, anything else a failure.
      this.state = { ...this.state, status: code === 0 ? (this.state.status === 'stopping' ? 'stopped' : 'completed') : 'failed' };
    }
    // A usage or config error is printed on stderr before any event: that line is the reason.
    if (this.state.status === 'failed' && !this.state.error && !this.state.lastLog && this.lastStderr) this.state = { ...this.state, error: this.lastStderr };
    this.hooks.output.appendLine(`[train] exited with code ${code}`);
    const msg = endMessage(this.state, code);
    const show = msg.severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
    void show(msg.text, 'Open Dashboard', 'Show Log').then((choice) => {
      if (choice === 'Open Dashboard') void vscode.commands.executeCommand('tooltune.openDashboard', this.state.runId);
      else if (choice === 'Show Log') this.hooks.output.show(true);
    });
    this.item.hide();
    this.hooks.onEnded(this.state);
    this.store.dispose();
    return this.state;
  }
}
