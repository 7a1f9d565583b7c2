// When to offer the tuned model's tool call as ghost text, what prompt to build, and what text to insert — the pure
// part of the inline completion provider (no vscode import; unit-tested in test/unit/vscode/inference).
//
// `.tooltest` files (format: src/core/tooltest.ts):
//   - on an empty line right after a case's `user:` line(s): insert `call: {...}` lines (one per call), or
//     `expect: []` when the model makes no call;
//   - on a `call:` line whose value is empty or a prefix of the model's call: complete that call (the first call the
//     case does not list yet).
// Dataset JSONL files (ARCHITECTURE.md "Dataset row"): on a row being written whose text before the cursor ends with
//   `"expected":`, insert the model's calls as the row's `expected` array (and the closing brace if missing).
import { parseToolTest, type ToolTestCase } from '../../core/tooltest';
import type { ChatMessage, Json, ToolCall, ToolDef } from '../../core/types';

export interface CompletionPlan {
  kind: 'tooltest-block' | 'tooltest-call' | 'jsonl-expected';
  messages: ChatMessage[];
  /** Tools path as written (tooltest: relative to the file); undefined = the caller's default. */
  toolsPath?: string;
  /** Tools given inline (a JSONL row's own `tools`). */
  inlineTools?: ToolDef[];
  /** 0-based line and character range the insert text replaces (what the user typed of it is a prefix). */
  line: number;
  startCharacter: number;
  endCharacter: number;
  /** What the user already typed inside the range; the suggestion must start with it. */
  typed: string;
  /** tooltest-call: index of the call to suggest (calls listed above it in the case are skipped). */
  callIndex?: number;
  /** jsonl-expected: whether a closing `}` must follow the array. */
  closeRow?: boolean;
  /** stop generation after one complete call (tooltest-call) or at end of turn */
  stopAt: 'call' | 'turn';
}

/** Whether ghost text treats a document as a `.tooltest` file (its language, or its name when the mode is not set). */
export function isToolTestDocument(doc: { languageId: string; uri: { path: string } }): boolean {
  return doc.languageId === 'tooltest' || doc.uri.path.endsWith('.tooltest');
}

/** JSON with a space after `:` and `,` (the style of the sample files), keys in the call's own order. */
export function spacedJson(v: Json | undefined): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(spacedJson).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${spacedJson(x)}`).join(', ')}}`;
}
export function callText(c: ToolCall): string { return spacedJson({ name: c.name, arguments: c.arguments }); }

// ---- .tooltest ----------------------------------------------------------------------------------------------------
const CALL_LINE = /^call\s*:\s?/i;

function caseMessages(c: ToolTestCase): ChatMessage[] {
  return [...(c.system ? [{ role: 'system' as const, content: c.system }] : []), { role: 'user' as const, content: c.user }];
}

/** Plan for a `.tooltest` document at a 0-based position, or undefined when nothing should be suggested there. */
export function planTooltest(text: string, line: number, character: number): CompletionPlan | undefined {
  const lines = text.split(/\r?\n/);
  const cur = lines[line];
  if (cur === undefined) return undefined;
  const file = parseToolTest(text);
  const lineNo = line + 1;
  if (cur.trim() === '') {
    // An empty line directly below the case's last line, which must be a `user:` line (or its continuation).
    const c = file.cases.find((k) => k.endLine === lineNo - 1);
    if (!c || c.expected || !lastKeyIs(lines, line - 1, 'user')) return undefined;
    if (lines.slice(c.line - 1, c.endLine).some((l) => CALL_LINE.test(l) || /^expect\s*:/i.test(l))) return undefined;
    return { kind: 'tooltest-block', messages: caseMessages(c), toolsPath: c.tools, line, startCharacter: 0,
      endCharacter: cur.length, typed: '', stopAt: 'turn' };
  }
  const m = CALL_LINE.exec(cur);
  if (!m || character < m[0].length || cur.slice(character).trim() !== '') return undefined;
  const c = file.cases.find((k) => k.line <= lineNo && lineNo <= k.endLine);
  if (!c) return undefined;
  const above = lines.slice(c.line - 1, line).filter((l) => CALL_LINE.test(l)).length;
  return { kind: 'tooltest-call', messages: caseMessages(c), toolsPath: c.tools, line, startCharacter: m[0].length,
    endCharacter: cur.length, typed: cur.slice(m[0].length).trimEnd(), callIndex: above, stopAt: above === 0 ? 'call' : 'turn' };
}

function lastKeyIs(lines: string[], from: number, key: string): boolean {
  for (let i = from; i >= 0; i--) {
    const l = lines[i]!;
    if (l.trim() === '' ) return false;
    if (/^\s/.test(l) || l.trimStart().startsWith('#')) continue; // continuation or comment
    return new RegExp(`^${key}\\s*:`, 'i').test(l);
  }
  return false;
}

// ---- dataset JSONL ------------------------------------------------------------------------------------------------
const EXPECTED_KEY = /,?\s*"expected"\s*:\s*$/;

/** Plan for a JSONL dataset line being written, or undefined. */
export function planJsonl(lineText: string, line: number, character: number): CompletionPlan | undefined {
  const before = lineText.slice(0, character);
  const after = lineText.slice(character).trim();
  if (!EXPECTED_KEY.test(before) || (after !== '' && after !== '}')) return undefined;
  const head = before.replace(EXPECTED_KEY, '').trimEnd();
  let row: unknown;
  try { row = JSON.parse(`${head}}`); } catch { return undefined; }
  if (!row || typeof row !== 'object' || Array.isArray(row)) return undefined;
  const r = row as { messages?: unknown; tools?: unknown };
  if (!Array.isArray(r.messages) || !r.messages.length) return undefined;
  const messages = r.messages.filter((x): x is ChatMessage => !!x && typeof x === 'object' &&
    typeof (x as ChatMessage).role === 'string' && typeof (x as ChatMessage).content === 'string');
  if (!messages.length || messages[messages.length - 1]!.role !== 'user') return undefined;
  // A pure insertion at the cursor: a `}` already after it stays (and then is not inserted again).
  const plan: CompletionPlan = { kind: 'jsonl-expected', messages, line, startCharacter: character, endCharacter: character,
    typed: '', closeRow: after === '', stopAt: 'turn' };
  if (Array.isArray(r.tools)) plan.inlineTools = r.tools as ToolDef[];
  return plan;
}

// ---- insert text --------------------------------------------------------------------------------------------------
/** The ghost text for a plan and the model's calls, or undefined when there is nothing to offer. */
export function insertText(plan: CompletionPlan, calls: readonly ToolCall[], lineTextBefore = ''): string | undefined {
  switch (plan.kind) {
    case 'tooltest-block':
      return calls.length ? calls.map((c) => `call: ${callText(c)}`).join('\n') : 'expect: []';
    case 'tooltest-call': {
      const c = calls[plan.callIndex ?? 0];
      if (!c) return undefined;
      const t = callText(c);
      return t.startsWith(plan.typed) ? t : undefined;
    }
    case 'jsonl-expected': {
      const space = /\s$/.test(lineTextBefore) ? '' : ' ';
      return `${space}[${calls.map(callText).join(', ')}]${plan.closeRow ? '}' : ''}`;
    }
  }
}

/** The calls a plan would insert (what is validated against the schema). */
export function callsInserted(plan: CompletionPlan, calls: readonly ToolCall[]): ToolCall[] {
  return plan.kind === 'tooltest-call' ? calls.slice(plan.callIndex ?? 0, (plan.callIndex ?? 0) + 1) : [...calls];
}

/** A cache key: the same prompt and model (`model`: which export file, which version of it) give the same greedy answer. */
export function planKey(plan: CompletionPlan, model: string, toolsKey: string): string {
  return JSON.stringify([model, toolsKey, plan.messages, plan.stopAt]);
}
