// Inline use of the tuned model inside VS Code: ghost-text tool calls in `.tooltest` and dataset JSONL files, and a
// TestController that runs `.tooltest` cases. The extension's activate() calls `activateInference` once; everything
// registered here is pushed onto context.subscriptions so it ends with the extension.
//
// The model runs in a worker thread (dist/inferWorker.js, src/infer/worker.ts) so loading and generating never
// block the extension host; the worker keeps one model loaded and reloads it when the export changes.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { baseModelDir } from '../../infer/run-models';
import { describeLoopDelay, LoopDelayWatch } from '../../infer/loop-delay';
import { InferenceService } from '../../infer/service';
import { InlineToolCallProvider } from './inline-provider';
import { ToolTestController } from './test-controller';
import { ToolsCache } from './tools-cache';

export interface InferenceHost {
  output: vscode.OutputChannel;
  /** The newest exported model folder (a run's `final/`), or undefined when there is none yet. */
  latestModelDir: () => Promise<string | undefined>;
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
  // The extension host's own event-loop delay while a request is in flight (issue #6 target: never > 50 ms), logged
  // with each answer: the worker thread keeps generation off this thread, and this line shows it.
  const watch = new LoopDelayWatch();
  const watched: Pick<InferenceService, 'complete'> = {
    complete: async (req, signal) => {
      const report = await watch.track(service.complete(req, signal));
      log(`[inference] extension host event loop while generating ${report.value.ids.length} tokens: ${describeLoopDelay(report)}`);
      return report.value;
    },
  };
  const tools = new ToolsCache();
  const diagnostics = vscode.languages.createDiagnosticCollection('tooltune-inline');
  const inline = new InlineToolCallProvider({ service: watched, modelDir: host.latestModelDir, tools, diagnostics, log });
  const tests = new ToolTestController({
    service: watched, modelDir: host.latestModelDir, tools, log,
    baseModelDir: (tuned) => baseModelDir(tuned, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath),
  });
  context.subscriptions.push(
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
