// The Test Explorer for `.tooltest` files: one test item per file and per case (with its range, so the gutter shows
// run buttons), re-parsed as documents change. Two run profiles: the tuned model (default) and the base model it
// started from. A failing case carries a TestMessage.diff of expected vs actual calls (pretty JSON). The verdicts
// are the core's matching rules (src/infer/tooltest-runner.ts), the same as `tooltune test` headless.
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { parseToolTest } from '../../core/tooltest';
import type { InferenceService } from '../../infer/service';
import { runToolTestText, summaryLine, type CaseOutcome } from '../../infer/tooltest-runner';
import { caseId, outcomeMessage, outcomeOutput, selectCases } from './test-results';
import type { ToolsCache } from './tools-cache';
import { trustGate } from '../trust';

export interface TestDeps {
  service: Pick<InferenceService, 'complete'>;
  /** The tuned model folder; undefined when no run has finished. */
  modelDir: () => Promise<string | undefined>;
  /** The base model folder for the comparison profile; throws with the fix when it cannot be found. */
  baseModelDir: (tuned: string) => string;
  tools: ToolsCache;
  log: (message: string) => void;
}

export class ToolTestController implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: TestDeps) {
    const c = this.controller = vscode.tests.createTestController('tooltune.tooltest', 'ToolTune tool calls');
    c.createRunProfile('Tuned model', vscode.TestRunProfileKind.Run, (r, t) => this.run(r, t, 'tuned'), true);
    c.createRunProfile('Base model', vscode.TestRunProfileKind.Run, (r, t) => this.run(r, t, 'base'), false);
    c.resolveHandler = async (item) => { if (!item) await this.discoverWorkspace(); };
    c.refreshHandler = async () => { await this.discoverWorkspace(); };
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.updateFromDocument(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.updateFromDocument(e.document)),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.tooltest');
    this.disposables.push(watcher,
      watcher.onDidCreate((u) => void this.updateFromDisk(u)),
      watcher.onDidChange((u) => void this.updateFromDisk(u)),
      watcher.onDidDelete((u) => c.items.delete(u.toString())));
    for (const d of vscode.workspace.textDocuments) this.updateFromDocument(d);
  }

  private async discoverWorkspace(): Promise<void> {
    for (const u of await vscode.workspace.findFiles('**/*.tooltest', '**/node_modules/**')) await this.updateFromDisk(u);
  }

  private async updateFromDisk(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) { this.updateFromDocument(open); return; }
    try { this.updateItems(uri, await readFile(uri.fsPath, 'utf8')); } catch { this.controller.items.delete(uri.toString()); }
  }

  private updateFromDocument(d: vscode.TextDocument): void {
    if (d.uri.scheme !== 'file' || !(d.languageId === 'tooltest' || d.uri.path.endsWith('.tooltest'))) return;
    this.updateItems(d.uri, d.getText());
  }

  /** (Re)builds a file's items from its text: one child per case, labelled by the case name, with its range. */
  private updateItems(uri: vscode.Uri, text: string): void {
    const c = this.controller;
    const id = uri.toString();
    let file = c.items.get(id);
    if (!file) {
      file = c.createTestItem(id, vscode.workspace.asRelativePath(uri), uri);
      c.items.add(file);
    }
    const parsed = parseToolTest(text, uri.fsPath);
    file.children.replace(parsed.cases.map((k) => {
      const item = c.createTestItem(caseId(id, k.index), k.name, uri);
      item.range = new vscode.Range(k.line - 1, 0, k.endLine - 1, 0);
      item.description = k.expected ? (k.expected.length ? k.expected.map((x) => x.name).join(', ') : 'no call') : 'no expectation';
      return item;
    }));
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    file.error = errors.length ? errors.map((d) => `line ${d.line}: ${d.message}`).join('\n') : undefined;
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken, profile: 'tuned' | 'base'): Promise<void> {
    const run = this.controller.createTestRun(request);
    const label = profile === 'tuned' ? 'tuned model' : 'base model';
    try {
      // VS Code asks for trust before a test run; this refusal stands should a run ever arrive untrusted
      const refusal = trustGate(vscode.workspace.isTrusted, 'Tool-call tests');
      if (refusal) throw new Error(refusal);
      const tuned = await this.deps.modelDir();
      if (!tuned) throw new Error('no trained model yet: finish a training run (it writes final/ with onnx/model.onnx), then run the tests');
      const modelDir = profile === 'tuned' ? tuned : this.deps.baseModelDir(tuned);
      if (!this.controller.items.size) await this.discoverWorkspace();
      const counts = new Map<string, number>();
      this.controller.items.forEach((f) => counts.set(f.id, f.children.size));
      const chosen = selectCases(counts, request.include?.map((i) => i.id), request.exclude?.map((i) => i.id));
      const all: CaseOutcome[] = [];
      const t0 = performance.now();
      for (const [fileId, indices] of chosen) {
        if (token.isCancellationRequested) break;
        const file = this.controller.items.get(fileId)!;
        const uri = file.uri!;
        const items = new Map<number, vscode.TestItem>();
        for (const i of indices) { const it = file.children.get(caseId(fileId, i)); if (it) { items.set(i, it); run.enqueued(it); } }
        const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === fileId);
        const text = open ? open.getText() : await readFile(uri.fsPath, 'utf8');
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        try {
          await runToolTestText(uri.fsPath, text, {
            loadTools: async (p) => (await this.deps.tools.get(p)) ??
              { tools: [], diagnostics: [{ file: p, line: 1, column: 1, severity: 'error', message: 'tools file not found' }] },
            complete: (messages, tools, k) => {
              const it = items.get(k.index);
              if (it) run.started(it);
              return this.deps.service.complete({ modelDir, messages, tools, maxNewTokens: 256 }, ac.signal);
            },
            onCase: (o) => { all.push(o); this.report(run, items.get(o.case.index), o, label); },
            isCancelled: () => token.isCancellationRequested,
          }, new Set(indices));
        } finally {
          sub.dispose();
        }
      }
      run.appendOutput(`[${label}] ${summaryLine(all, performance.now() - t0)}\r\n`);
      this.deps.log(`[tests] ${label}: ${summaryLine(all, performance.now() - t0)}`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      run.appendOutput(`[${label}] ${msg}\r\n`);
      for (const it of request.include ?? []) run.errored(it, new vscode.TestMessage(msg));
      if (!request.include) this.controller.items.forEach((f) => run.errored(f, new vscode.TestMessage(msg)));
      this.deps.log(`[tests] ${msg}`);
    } finally {
      run.end();
    }
  }

  private report(run: vscode.TestRun, item: vscode.TestItem | undefined, o: CaseOutcome, label: string): void {
    run.appendOutput(outcomeOutput(o, label), undefined, item);
    if (!item) return;
    const where = (line: number) => new vscode.Location(item.uri!, new vscode.Position(line - 1, 0));
    switch (o.status) {
      case 'passed': run.passed(item, o.durationMs); break;
      case 'skipped': run.skipped(item); break;
      case 'errored': {
        const m = new vscode.TestMessage(outcomeMessage(o));
        m.location = where(o.case.line);
        run.errored(item, m, o.durationMs);
        break;
      }
      case 'failed': {
        const m = vscode.TestMessage.diff(outcomeMessage(o), o.expected, o.actual);
        m.location = where(o.case.expectLine ?? o.case.line);
        run.failed(item, m, o.durationMs);
        break;
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.controller.dispose();
  }
}
