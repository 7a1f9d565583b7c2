// Ghost-text tool calls from the tuned model in `.tooltest` and dataset JSONL files. The decisions (where, what
// prompt, what text) are in completion-plan.ts; this file is the VS Code adapter: debounce, cancellation (a keystroke
// cancels the token, which aborts the worker request), a small answer cache, and schema validation — a suggestion
// that breaks its tool's schema is flagged with a warning diagnostic on that line, never offered silently.
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { trustGate } from '../trust';
import { validateCall } from '../../core/validate-call';
import type { ToolDef } from '../../core/types';
import { CancelledError, type InferenceService } from '../../infer/service';
import type { CompletionResult } from '../../infer/protocol';
import { exportFingerprint, VARIANT_FILE } from '../../infer/model-folder';
import { ghostTextVariant } from '../../infer/run-models';
import { callsInserted, insertText, isToolTestDocument, planJsonl, planKey, planTooltest, type CompletionPlan } from './completion-plan';
import type { ToolsCache } from './tools-cache';

export interface InlineDeps {
  service: Pick<InferenceService, 'complete'>;
  modelDir: () => Promise<string | undefined>;
  tools: ToolsCache;
  diagnostics: vscode.DiagnosticCollection;
  log: (message: string) => void;
  /** ms to wait for typing to pause before asking the model (default 300). */
  debounceMs?: number;
}

const CACHE_SIZE = 64;

export class InlineToolCallProvider implements vscode.InlineCompletionItemProvider {
  private readonly answers = new Map<string, CompletionResult>();
  private warnedNoModel = false;

  constructor(private readonly deps: InlineDeps) {}

  async provideInlineCompletionItems(doc: vscode.TextDocument, pos: vscode.Position, _ctx: vscode.InlineCompletionContext,
    token: vscode.CancellationToken): Promise<vscode.InlineCompletionItem[]> {
    if (trustGate(vscode.workspace.isTrusted, 'Ghost text')) return []; // silent: ghost text has no place for a message
    const plan = planFor(doc, pos);
    if (!plan) return [];
    const modelDir = await this.deps.modelDir();
    if (!modelDir) {
      if (!this.warnedNoModel) this.deps.log('[inline] no trained model yet: finish a run (its final/ folder), then ghost text appears');
      this.warnedNoModel = true;
      return [];
    }
    const tools = await this.toolsFor(doc, plan);
    if (!(await pause(this.deps.debounceMs ?? 300, token))) return [];

    const variant = ghostTextVariant(modelDir);
    let exported: string;
    try { exported = exportFingerprint(join(modelDir, 'onnx', VARIANT_FILE[variant])); } catch { exported = modelDir; } // the worker reports a missing export
    // Answers are cached per export file and version: a re-export, or a new int8 head, is asked afresh.
    const key = planKey(plan, exported, tools.key);
    let answer = this.answers.get(key);
    if (!answer) {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      try {
        answer = await this.deps.service.complete({ modelDir, variant, messages: plan.messages, tools: tools.tools, stopAt: plan.stopAt, maxNewTokens: 256 }, ac.signal);
      } catch (e) {
        if (!(e instanceof CancelledError)) this.deps.log(`[inline] ${e instanceof Error ? e.message : String(e)}`);
        return [];
      } finally {
        sub.dispose();
      }
      this.remember(key, answer);
      this.deps.log(`[inline] ${answer.calls.length} call(s) in ${answer.timings.generateMs.toFixed(0)} ms ` +
        `(${answer.promptTokens} prompt tokens, first token ${answer.timings.firstTokenMs.toFixed(0)} ms${answer.timings.loadMs ? `, load ${answer.timings.loadMs.toFixed(0)} ms` : ''})`);
    }
    if (token.isCancellationRequested) return [];

    const lineText = doc.lineAt(pos.line).text;
    const text = insertText(plan, answer.calls, lineText.slice(0, pos.character));
    this.report(doc, plan, answer, tools.tools, tools.label);
    if (text === undefined) return [];
    return [new vscode.InlineCompletionItem(text, new vscode.Range(plan.line, plan.startCharacter, plan.line, plan.endCharacter))];
  }

  /** Warning diagnostics for the calls this suggestion would insert that fail their schema (or unparsable output). */
  private report(doc: vscode.TextDocument, plan: CompletionPlan, answer: CompletionResult, tools: ToolDef[], toolsLabel: string): void {
    const problems: string[] = [];
    for (const c of callsInserted(plan, answer.calls)) {
      for (const e of validateCall(c, tools).errors) problems.push(`${c.name}: ${e}`);
    }
    if (!answer.clean && answer.parseErrors.length) problems.push(`the model's output did not parse: ${answer.parseErrors[0]}`);
    const range = new vscode.Range(plan.line, 0, plan.line, Math.max(1, doc.lineAt(plan.line).text.length));
    this.deps.diagnostics.set(doc.uri, problems.map((p) => {
      const d = new vscode.Diagnostic(range, `Model suggestion is invalid for ${toolsLabel}: ${p}`, vscode.DiagnosticSeverity.Warning);
      d.source = 'ToolTune';
      return d;
    }));
  }

  private async toolsFor(doc: vscode.TextDocument, plan: CompletionPlan): Promise<{ tools: ToolDef[]; key: string; label: string }> {
    if (plan.inlineTools) return { tools: plan.inlineTools, key: JSON.stringify(plan.inlineTools), label: 'the row\'s tools' };
    const dir = dirname(doc.uri.fsPath);
    const candidates = plan.toolsPath ? [join(dir, plan.toolsPath)] : [join(dir, 'tools.json'),
      ...(vscode.workspace.workspaceFolders ?? []).map((f) => join(f.uri.fsPath, 'tools.json'))];
    for (const path of candidates) {
      const t = await this.deps.tools.get(path);
      if (t) return { tools: t.tools, key: `${path}@${t.version}`, label: vscode.workspace.asRelativePath(path) };
    }
    return { tools: [], key: '', label: 'the tools (none found: add tools.json or a `tools:` line)' };
  }

  private remember(key: string, r: CompletionResult): void {
    this.answers.set(key, r);
    if (this.answers.size > CACHE_SIZE) this.answers.delete(this.answers.keys().next().value as string);
  }

  /** Forget cached answers (the model changed). */
  clear(): void { this.answers.clear(); }
}

function planFor(doc: vscode.TextDocument, pos: vscode.Position): CompletionPlan | undefined {
  if (isToolTestDocument(doc)) return planTooltest(doc.getText(), pos.line, pos.character);
  if (doc.uri.path.endsWith('.jsonl')) return planJsonl(doc.lineAt(pos.line).text, pos.line, pos.character);
  return undefined;
}

/** Waits `ms`; false when the token was cancelled meanwhile (the user kept typing). */
function pause(ms: number, token: vscode.CancellationToken): Promise<boolean> {
  if (token.isCancellationRequested) return Promise.resolve(false);
  return new Promise((res) => {
    const sub = token.onCancellationRequested(() => { clearTimeout(t); sub.dispose(); res(false); });
    const t = setTimeout(() => { sub.dispose(); res(!token.isCancellationRequested); }, ms);
  });
}
