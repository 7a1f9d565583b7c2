// Inline use of the tuned model inside VS Code: ghost-text tool calls in `.tooltest` and dataset JSONL files, and a
// TestController that runs `.tooltest` cases. The extension's activate() calls `activateInference` once; everything
// registered here is pushed onto context.subscriptions so it ends with the extension.
//
// The model runs in a worker thread (dist/inferWorker.js, src/infer/worker.ts) so loading and generating never
// block the extension host; the worker keeps one model loaded and reloads it when the export changes. Opening a
// `.tooltest` file loads it ahead of the first suggestion (preload.ts).
import { join } from 'node:path';
import * as vscode from 'vscode';
import { baseModelDir } from '../../infer/run-models';
import { LoopDelayWatch } from '../../infer/loop-delay';
import { watchedInference } from '../../infer/watched';
import { InferenceService } from '../../infer/service';
import { InlineToolCallProvider } from './inline-provider';
import { ModelPreloader } from './preload';
import { ToolTestController } from './test-controller';
import { ToolsCache } from './tools-cache';

export interface InferenceHost {
  output: vscode.OutputChannel;
  /** The newest exported model folder (a run's `final/`), or undefined when there is none yet. */
  latestModelDir: () => Promise<string | undefined>;
  /** `tooltune.inline.loadModelOnOpen`: load the model when a `.tooltest` file is opened. */
  loadModelOnOpen: () => boolean;
}

/** Documents that get ghost-text tool calls: `.tooltest` files and dataset JSONL files. */
export const INLINE_SELECTOR: vscode.DocumentSelector = [
  { language: 'tooltest' }, { pattern: '**/*.tooltest' }, { pattern: '**/*.jsonl' },
];

export function activateInference(context: vscode.ExtensionContext, host: InferenceHost): void {
  const log = (m: string) => host.output.appendLine(m);
  const service = new InferenceService({
    workerPath: join(context.extensionPath, 'dist', 'inferWorker.js'),
    log: (m) => log(`[inference] ${m}`),
  });
  // The extension host's own event loop while the model loads and while it generates (issue #6 target: never blocked
  // > 50 ms while generating), logged with each request: the worker thread keeps both off this thread.
  const watch = new LoopDelayWatch();
  const watched = watchedInference(service, watch, log);
  const tools = new ToolsCache();
  const diagnostics = vscode.languages.createDiagnosticCollection('tooltune-inline');
  const inline = new InlineToolCallProvider({ service: watched, modelDir: host.latestModelDir, tools, diagnostics, log });
  const tests = new ToolTestController({
    service: watched, modelDir: host.latestModelDir, tools, log,
    baseModelDir: (tuned) => baseModelDir(tuned, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath),
  });
  const preloader = new ModelPreloader({
    service: watched, modelDir: host.latestModelDir, log,
    enabled: () => vscode.workspace.isTrusted && host.loadModelOnOpen(),
  });
  void preloader.onActiveDocument(vscode.window.activeTextEditor?.document);
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor((e) => void preloader.onActiveDocument(e?.document)),
    vscode.languages.registerInlineCompletionItemProvider(INLINE_SELECTOR, inline),
    diagnostics,
    tests,
    vscode.workspace.onDidCloseTextDocument((d) => diagnostics.delete(d.uri)),
    // A suggestion's warning belongs to that suggestion: editing the line clears it.
    vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length && diagnostics.has(e.document.uri)) diagnostics.delete(e.document.uri); }),
    { dispose: () => { watch.dispose(); void service.dispose(); } },
  );
  log('[inference] inline tool calls and .tooltest tests ready');
}
