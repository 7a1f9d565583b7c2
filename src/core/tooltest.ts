// The `.tooltest` format: hand-written tool-call test cases that the editor runs against the tuned model (the
// TestController in src/vscode/inference, and `tooltune test` headless). Pure: no vscode, no file system; the caller
// reads the file and resolves the tools path. The parser never throws: every problem is a located Diagnostic.
//
// ## Format
// A line-based text file, UTF-8. Each non-blank line is `key: value`; `#` at the start of a line is a comment.
//
//     # Cases for the weather/calendar domain.
//     tools: tools.json                    ← file-level settings: lines before the first case
//     match: bfcl                          ← "exact" (default) or "bfcl" (PAPERS.md §3: the BFCL AST rules)
//
//     case: Weather in Paris               ← optional; starts a case and names it
//     user: What's the weather in Paris, in celsius?
//     call: {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}
//
//     user: Book a table for two at 7pm    ← a case may also start with `user:` (name: its first user line)
//     user: at Chez Panisse.               ← consecutive `user:` lines join with a newline into one message
//     call: {"name": "book_table", "arguments": {"restaurant": "Chez Panisse",
//       "people": 2, "time": "19:00"}}     ← an indented line continues the previous value
//
//     user: Tell me a joke.
//     expect: []                           ← `expect:` holds the whole expected list; [] = the right answer is no call
//
// Keys inside a case:
// - `case: <name>` starts a new case (the name is optional).
// - `system: <text>` an optional system message (consecutive lines join, like `user:`).
// - `user: <text>` the user's request. A `user:` line after the case's `call:`/`expect:` starts a new case.
// - `call: <json>` one expected call `{"name", "arguments"}` (+ optional `accept`, `optional` as in dataset rows,
//   ARCHITECTURE.md "Dataset row"); repeat for parallel calls, which match in any order.
// - `expect: <json>` the full expected list (an array of calls, or one call object); `[]` = no call.
//   A case has either `call:` lines or one `expect:` line. A case with neither runs, but has nothing to check.
// - `tools: <path>` per-case tools file (relative to the .tooltest file), overriding the file-level one.
// A blank line ends a case (so pretty-printed JSON must not contain blank lines).
//
// Ghost text (src/vscode/inference): on an empty line right after a `user:` line, or after `call:` on a `call:`
// line, the editor suggests the tuned model's answer; Tab accepts it.
import type { Diagnostic, ExpectedCall, Json, MatchMode } from './types';

export interface ToolTestCase {
  /** 0-based position in the file. */
  index: number;
  name: string;
  /** 1-based first and last line of the case (inclusive), for the test item's range. */
  line: number;
  endLine: number;
  system?: string;
  user: string;
  /** 1-based line of the first `user:` line. */
  userLine: number;
  /** undefined = the case states no expectation. */
  expected?: ExpectedCall[];
  /** 1-based line of the first `call:` / the `expect:` line. */
  expectLine?: number;
  /** Tools path as written (relative to the file), the case's own or the file-level one. */
  tools?: string;
}

export interface ToolTestFile {
  tools?: string;
  match: MatchMode;
  cases: ToolTestCase[];
  diagnostics: Diagnostic[];
}

/** One logical line: a key, its value (continuations joined) and where it came from. */
export interface ToolTestLine {
  key: string;
  value: string;
  /** 1-based line and column of the value's first character. */
  line: number;
  column: number;
  endLine: number;
}

const KEYS = new Set(['case', 'system', 'user', 'call', 'expect', 'tools', 'match']);
const KEY_RE = /^([A-Za-z_]+)\s*:(.*)$/;

/** Splits a file into logical lines; blank lines come back as `{key: ''}` separators. */
export function scanLines(text: string): { lines: ToolTestLine[]; problems: Array<{ line: number; message: string; hint: string }> } {
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const lines: ToolTestLine[] = [];
  const problems: Array<{ line: number; message: string; hint: string }> = [];
  for (let i = 0; i < raw.length; i++) {
    const src = raw[i]!;
    const lineNo = i + 1;
    if (src.trim() === '') { lines.push({ key: '', value: '', line: lineNo, column: 1, endLine: lineNo }); continue; }
    if (src.trimStart().startsWith('#')) continue;
    const prev = lines[lines.length - 1];
    if (/^\s/.test(src)) {
      // Continuation of the previous value (multi-line JSON, long user text).
      if (prev && prev.key) { prev.value += '\n' + src.trim(); prev.endLine = lineNo; continue; }
      problems.push({ line: lineNo, message: 'indented line continues nothing',
        hint: 'start the line with a key (`user:`, `call:`, `expect:` …) or join it to the line above' });
      continue;
    }
    const m = KEY_RE.exec(src);
    const key = m?.[1]?.toLowerCase();
    if (!m || !key || !KEYS.has(key)) {
      problems.push({ line: lineNo, message: m ? `unknown key "${m[1]}"` : 'line is not `key: value`',
        hint: 'use one of case:, system:, user:, call:, expect:, tools:, match: (or # for a comment)' });
      continue;
    }
    const rest = m[2]!;
    const lead = rest.length - rest.trimStart().length;
    lines.push({ key, value: rest.trim(), line: lineNo, column: src.length - rest.length + lead + 1, endLine: lineNo });
  }
  return { lines, problems };
}

/** Parses a `.tooltest` file. `file` only labels diagnostics. Never throws. */
export function parseToolTest(text: string, file = '<tooltest>'): ToolTestFile {
  const out: ToolTestFile = { match: 'exact', cases: [], diagnostics: [] };
  const diag = (line: number, column: number, message: string, hint: string, severity: 'error' | 'warning' = 'error') =>
    out.diagnostics.push({ file, line, column, severity, message, hint });
  const { lines, problems } = scanLines(typeof text === 'string' ? text : '');
  for (const p of problems) diag(p.line, 1, p.message, p.hint);

  let cur: Draft | undefined;
  const close = () => {
    if (!cur) return;
    const c = finish(cur, out.cases.length, diag);
    if (c) out.cases.push({ ...c, tools: c.tools ?? out.tools });
    cur = undefined;
  };

  for (const l of lines) {
    if (l.key === '') { close(); continue; }
    if (!cur) {
      if (l.key === 'tools' && !lines.some((o) => o.line > l.line && o.line < nextBlank(lines, l.line) && (o.key === 'user' || o.key === 'case'))) {
        if (!l.value) diag(l.line, l.column, '`tools:` needs a path', 'write e.g. `tools: tools.json` (relative to this file)');
        else out.tools = l.value;
        continue;
      }
      if (l.key === 'match') {
        if (l.value === 'exact' || l.value === 'bfcl') out.match = l.value;
        else diag(l.line, l.column, `unknown match mode "${l.value}"`, 'use `match: exact` or `match: bfcl`');
        continue;
      }
      cur = newDraft(l.line);
    }
    switch (l.key) {
      case 'case':
        if (cur.touched) { close(); cur = newDraft(l.line); }
        cur.name = l.value; cur.touched = true; break;
      case 'system': cur.system.push(l.value); cur.touched = true; break;
      case 'user':
        if (cur.calls.length || cur.expect) { close(); cur = newDraft(l.line); }
        if (!cur.userLine) cur.userLine = l.line;
        cur.user.push(l.value); cur.touched = true; break;
      case 'call': cur.calls.push(l); cur.touched = true; break;
      case 'expect':
        if (cur.expect) diag(l.line, l.column, 'a second `expect:` in one case', 'merge both into one JSON array, or start a new case with a blank line');
        else cur.expect = l;
        cur.touched = true; break;
      case 'tools':
        if (!l.value) diag(l.line, l.column, '`tools:` needs a path', 'write e.g. `tools: tools.json` (relative to this file)');
        else cur.tools = l.value;
        break;
      case 'match':
        diag(l.line, l.column, '`match:` inside a case', 'put `match:` at the top of the file, before the first case', 'warning'); break;
    }
    cur.endLine = Math.max(cur.endLine, l.endLine);
  }
  close();
  return out;
}

interface Draft {
  line: number; endLine: number; name: string; touched: boolean;
  system: string[]; user: string[]; userLine: number; calls: ToolTestLine[]; expect?: ToolTestLine; tools?: string;
}
const newDraft = (line: number): Draft => ({ line, endLine: line, name: '', touched: false, system: [], user: [], userLine: 0, calls: [] });

function nextBlank(lines: ToolTestLine[], after: number): number {
  const b = lines.find((l) => l.key === '' && l.line > after);
  return b ? b.line : Number.MAX_SAFE_INTEGER;
}

type Diag = (line: number, column: number, message: string, hint: string, severity?: 'error' | 'warning') => void;

function finish(d: Draft, index: number, diag: Diag): Omit<ToolTestCase, 'tools'> & { tools?: string } | undefined {
  if (!d.user.length) {
    if (d.touched || d.calls.length || d.expect) diag(d.line, 1, 'case has no `user:` line', 'add a `user: <request>` line to the case');
    return undefined;
  }
  const user = d.user.join('\n');
  const c: Omit<ToolTestCase, 'tools'> & { tools?: string } = {
    index, name: d.name || firstLine(user) || `case ${index + 1} (line ${d.line})`, line: d.line, endLine: d.endLine, user, userLine: d.userLine,
  };
  if (d.system.length) c.system = d.system.join('\n');
  if (d.tools) c.tools = d.tools;
  if (d.calls.length && d.expect) {
    diag(d.expect.line, d.expect.column, 'case has both `call:` lines and `expect:`', 'keep one: `call:` per expected call, or a single `expect: [...]`');
  }
  if (d.expect) {
    const v = parseJsonAt(d.expect, diag);
    if (v !== undefined) {
      const list = Array.isArray(v) ? v : [v];
      const calls = list.map((x, i) => toExpected(x, d.expect!, Array.isArray(v) ? `[${i}]` : '', diag));
      if (calls.every((x): x is ExpectedCall => x !== undefined)) { c.expected = calls; c.expectLine = d.expect.line; }
    }
  } else if (d.calls.length) {
    const calls = d.calls.map((l) => { const v = parseJsonAt(l, diag); return v === undefined ? undefined : toExpected(v, l, '', diag); });
    if (calls.every((x): x is ExpectedCall => x !== undefined)) { c.expected = calls; c.expectLine = d.calls[0]!.line; }
  }
  return c;
}

function firstLine(s: string): string {
  const f = s.split('\n')[0]!.trim();
  return f.length > 60 ? f.slice(0, 57) + '…' : f;
}

function parseJsonAt(l: ToolTestLine, diag: Diag): Json | undefined {
  if (!l.value) { diag(l.line, l.column, `\`${l.key}:\` has no value`, l.key === 'call' ? 'write `call: {"name": "...", "arguments": {...}}`' : 'write `expect: [...]` (or `expect: []` for no call)'); return undefined; }
  try {
    return JSON.parse(l.value) as Json;
  } catch (e) {
    const { line, column } = jsonErrorPosition(l, e);
    diag(line, column, `\`${l.key}:\` is not valid JSON: ${(e as Error).message}`, 'fix the JSON (double-quoted keys and strings, no trailing commas)');
    return undefined;
  }
}

/** Maps a JSON.parse "at position N" error back to the file's line and column (continuations were joined with \n). */
function jsonErrorPosition(l: ToolTestLine, e: unknown): { line: number; column: number } {
  const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
  if (!m) return { line: l.line, column: l.column };
  const pos = Number(m[1]);
  const before = l.value.slice(0, pos).split('\n');
  if (before.length === 1) return { line: l.line, column: l.column + pos };
  // Continuation lines were trimmed; columns there are approximate (1-based from the trimmed start).
  return { line: l.line + before.length - 1, column: before[before.length - 1]!.length + 1 };
}

function isObj(v: unknown): v is Record<string, Json> { return typeof v === 'object' && v !== null && !Array.isArray(v); }

function toExpected(v: Json, l: ToolTestLine, at: string, diag: Diag): ExpectedCall | undefined {
  const where = `\`${l.key}:\`${at}`;
  if (!isObj(v)) { diag(l.line, l.column, `${where} must be an object {"name", "arguments"}`, 'write {"name": "tool_name", "arguments": {...}}'); return undefined; }
  if (typeof v.name !== 'string' || !v.name) { diag(l.line, l.column, `${where} has no "name"`, 'add "name": "<tool name>"'); return undefined; }
  const args = v.arguments ?? {};
  if (!isObj(args)) { diag(l.line, l.column, `${where} "arguments" must be an object`, 'write "arguments": {"param": value}'); return undefined; }
  const call: ExpectedCall = { name: v.name, arguments: args };
  if (v.accept !== undefined) {
    if (!isObj(v.accept) || !Object.values(v.accept).every(Array.isArray)) {
      diag(l.line, l.column, `${where} "accept" must map parameters to arrays of values`, 'write "accept": {"unit": ["celsius", "C"]}'); return undefined;
    }
    call.accept = v.accept as Record<string, Json[]>;
  }
  if (v.optional !== undefined) {
    if (!Array.isArray(v.optional) || !v.optional.every((x) => typeof x === 'string')) {
      diag(l.line, l.column, `${where} "optional" must be an array of parameter names`, 'write "optional": ["unit"]'); return undefined;
    }
    call.optional = v.optional as string[];
  }
  for (const k of Object.keys(v)) {
    if (!['name', 'arguments', 'accept', 'optional'].includes(k)) diag(l.line, l.column, `${where} has an unknown field "${k}"`, 'only name, arguments, accept and optional are read', 'warning');
  }
  return call;
}
