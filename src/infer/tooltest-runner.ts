// Running `.tooltest` cases (src/core/tooltest.ts) against a model: the verdict of each case by the core's matching
// rules (judgeRow: the same rules as evaluation and rewards), a readable expected-vs-actual pair for diffs, schema
// problems of the calls the model made, and a summary line. Shared by `tooltune test` and the VS Code
// TestController; the model and the file system come in as functions, so everything here is testable without either.
import { dirname, resolve } from 'node:path';
import { judgeRow } from '../core/evaluate';
import { matchCalls } from '../core/match';
import { parseToolTest, type ToolTestCase, type ToolTestFile } from '../core/tooltest';
import { validateCall } from '../core/validate-call';
import type { ChatMessage, Diagnostic, MatchMode, ToolCall, ToolDef } from '../core/types';

/** What a model answered for one case (a subset of CompletionResult). */
export interface ModelAnswer { text: string; calls: ToolCall[]; clean: boolean; parseErrors: string[] }

export type CaseStatus = 'passed' | 'failed' | 'skipped' | 'errored';

export interface CaseOutcome {
  case: ToolTestCase;
  status: CaseStatus;
  /** why it failed (empty when passed), or why it was skipped/errored */
  reasons: string[];
  /** pretty JSON of the expected calls (name + arguments), for a diff */
  expected: string;
  /** pretty JSON of the calls the model made, in the expected calls' order where they pair up */
  actual: string;
  /** the model's raw text */
  output: string;
  /** schema problems of the model's calls (validateCall); a passing case may still carry them */
  invalid: string[];
  durationMs: number;
}

/** The chat messages of a case. */
export function caseMessages(c: ToolTestCase): ChatMessage[] {
  const m: ChatMessage[] = [];
  if (c.system) m.push({ role: 'system', content: c.system });
  m.push({ role: 'user', content: c.user });
  return m;
}

const plain = (calls: readonly ToolCall[]) => calls.map((c) => ({ name: c.name, arguments: c.arguments }));
export function prettyCalls(calls: readonly ToolCall[]): string { return JSON.stringify(plain(calls), null, 2); }

/** The predicted calls reordered to line up with the expected calls they pair with (calls match order-free). */
export function alignCalls(expected: readonly ToolCall[], actual: readonly ToolCall[], mode: MatchMode): ToolCall[] {
  const m = matchCalls(expected, actual, mode);
  const byExpected = [...m.pairs].sort((a, b) => a.expected - b.expected).map((p) => actual[p.predicted]!);
  return [...byExpected, ...m.unmatchedPredicted.map((j) => actual[j]!)];
}

/** Pass/fail of one case from the model's answer. */
export function judgeCase(c: ToolTestCase, answer: ModelAnswer, tools: readonly ToolDef[], mode: MatchMode, durationMs = 0): CaseOutcome {
  const invalid = answer.calls.flatMap((call) => validateCall(call, tools).errors.map((e) => `${call.name}: ${e}`));
  const base = { case: c, output: answer.text, invalid, durationMs, actual: prettyCalls(answer.calls) };
  if (!c.expected) {
    return { ...base, status: 'skipped', expected: '', reasons: ['the case states no expectation (add `call:` lines or `expect:`)'] };
  }
  const v = judgeRow({ id: c.name, expected: c.expected }, { calls: answer.calls, clean: answer.clean, errors: answer.parseErrors }, mode);
  return {
    ...base,
    status: v.correct ? 'passed' : 'failed',
    reasons: v.correct ? [] : v.reasons,
    expected: prettyCalls(c.expected),
    actual: prettyCalls(alignCalls(c.expected, answer.calls, mode)),
  };
}

export interface RunDeps {
  /** Loads a tools file (absolute path); returns its tools and problems. */
  loadTools: (path: string) => Promise<{ tools: ToolDef[]; diagnostics: Diagnostic[] }>;
  /** Runs the model on one case. */
  complete: (messages: ChatMessage[], tools: ToolDef[], c: ToolTestCase) => Promise<ModelAnswer>;
  /** Called after each case (progress, TestRun updates). */
  onCase?: (o: CaseOutcome) => void;
  isCancelled?: () => boolean;
}

export interface FileRun { file: ToolTestFile; outcomes: CaseOutcome[]; durationMs: number }

/** Runs the cases of one `.tooltest` file (all, or those whose index is in `only`). Never throws for a bad case. */
export async function runToolTestText(path: string, text: string, deps: RunDeps, only?: ReadonlySet<number>): Promise<FileRun> {
  const t0 = performance.now();
  const file = parseToolTest(text, path);
  const toolsCache = new Map<string, Promise<{ tools: ToolDef[]; diagnostics: Diagnostic[] }>>();
  const toolsFor = (rel: string | undefined) => {
    if (!rel) return Promise.resolve({ tools: [] as ToolDef[], diagnostics: [] as Diagnostic[] });
    const abs = resolve(dirname(path), rel);
    let p = toolsCache.get(abs);
    if (!p) { p = deps.loadTools(abs); toolsCache.set(abs, p); }
    return p;
  };
  const outcomes: CaseOutcome[] = [];
  for (const c of file.cases) {
    if (only && !only.has(c.index)) continue;
    if (deps.isCancelled?.()) break;
    const started = performance.now();
    let o: CaseOutcome;
    try {
      const t = await toolsFor(c.tools);
      const errors = t.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) {
        o = errored(c, errors.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`), started);
      } else {
        const answer = await deps.complete(caseMessages(c), t.tools, c);
        o = judgeCase(c, answer, t.tools, file.match, performance.now() - started);
      }
    } catch (e) {
      o = errored(c, [e instanceof Error ? e.message : String(e)], started);
    }
    outcomes.push(o);
    deps.onCase?.(o);
  }
  return { file, outcomes, durationMs: performance.now() - t0 };
}

function errored(c: ToolTestCase, reasons: string[], started: number): CaseOutcome {
  return { case: c, status: 'errored', reasons, expected: c.expected ? prettyCalls(c.expected) : '', actual: '', output: '',
    invalid: [], durationMs: performance.now() - started };
}

/** `8 passed, 1 failed, 1 skipped, 0 errored (10 cases) in 2.3 s`. */
export function summaryLine(outcomes: readonly CaseOutcome[], ms: number): string {
  const n = (s: CaseStatus) => outcomes.filter((o) => o.status === s).length;
  return `${n('passed')} passed, ${n('failed')} failed, ${n('skipped')} skipped, ${n('errored')} errored ` +
    `(${outcomes.length} case${outcomes.length === 1 ? '' : 's'}) in ${(ms / 1000).toFixed(1)} s`;
}
