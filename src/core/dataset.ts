// Datasets: stream a JSONL file (or text) row by row, import foreign row shapes (importers.ts), validate each row
// and keep the good ones. A bad row becomes one located diagnostic ("train.jsonl:12:40: error: …") and is
// skipped; the result says how many rows were kept. Duplicate ids are errors.
//
// Checked per row: JSON object; messages shape (roles, string contents, ends with a user/tool turn); tools (the
// row's own, else the tools file); every expected call names a tool that exists for the row, its arguments
// validate against the tool's schema (ajv, compiled once per schema), `accept`/`optional` name real parameters.
//
//   const ds = await loadDataset('train.jsonl', { tools });
//   ds.rows, ds.kept, ds.skipped, ds.diagnostics
//   await loadDataset(big, { tools, collect: false, onRow: (r) => … })   // 100k rows in bounded memory
import type { ChatMessage, DatasetRow, Diagnostic, ExpectedCall, Json, RowCategory, ToolDef } from './types';
import { Locator, explainSyntaxError, parseJsonDocument, type PathSegment } from './source-location';
import { describeType, findTool, isObject, normaliseTools } from './tools';
import { importRow, type RowFormat } from './importers';
import { validateArguments } from './validate-call';
import { DEFAULT_MAX_LINE_BYTES, readJsonlBatches } from './jsonl-reader';
import { BOM_WARNING, UTF16_ERROR, UTF16_HINT } from './text-input';

export interface DatasetOptions {
  /** tools for rows without their own `tools` (the tools file) */
  tools?: readonly ToolDef[];
  /** longest accepted row in bytes (default 1 MiB) */
  maxRowBytes?: number;
  /** keep the rows in `rows` (default true); false with onRow streams */
  collect?: boolean;
  onRow?: (row: DatasetRow) => void;
}

export interface DatasetResult {
  file: string;
  rows: DatasetRow[];
  kept: number;
  skipped: number;
  diagnostics: Diagnostic[];
  /** how many kept rows came in each source format */
  formats: Record<RowFormat, number>;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const ROW_HINT = 'see ARCHITECTURE.md "Dataset row"';

/** Validates rows one at a time; holds the duplicate-id set and per-row-tools cache of one file. */
export class RowValidator {
  private readonly ids = new Set<string>();
  // xLAM-style datasets repeat the same tool lists across thousands of rows: normalise each distinct text once.
  private readonly toolsCache = new Map<string, { tools: ToolDef[]; problems: Array<[PathSegment[], Diagnostic['severity'], string, string?]> }>();
  readonly result: DatasetResult;

  constructor(readonly file: string, private readonly opts: DatasetOptions = {}) {
    this.result = { file, rows: [], kept: 0, skipped: 0, diagnostics: [], formats: { tooltune: 0, xlam: 0, 'openai-chat': 0, sharegpt: 0 } };
  }

  // The row being validated. Kept on the instance so the per-row fast path allocates no closures; the Locator (a
  // full jsonc parse tree of the row) is built only when the row has a problem.
  private text = '';
  private lineNo = 0;
  private diags: Diagnostic[] = [];
  private located: Locator | undefined;
  private readonly err = (path: PathSegment[], message: string, hint?: string): void => { this.report(path, 'error', message, hint); };
  private readonly warn = (path: PathSegment[], message: string, hint?: string): void => { this.report(path, 'warning', message, hint); };

  private report(path: PathSegment[], severity: Diagnostic['severity'], message: string, hint?: string): void {
    this.located ??= new Locator(this.file, this.text, parseJsonDocument(this.text).tree, this.lineNo);
    this.diags.push(this.located.at(path, severity, message, hint));
  }

  /** Handle one JSONL line (1-based line number). */
  line(text: string, line: number): void {
    this.text = text;
    this.lineNo = line;
    this.located = undefined;
    const diags: Diagnostic[] = (this.diags = []);
    const { err, warn } = this;

    let value: Json;
    try {
      value = JSON.parse(text) as Json;
    } catch {
      const doc = parseJsonDocument(text);
      const e = doc.errors[0];
      const l = new Locator(this.file, text, undefined, line);
      diags.push(e ? l.atOffset(e.offset, e.length, 'error', `invalid JSON: ${explainSyntaxError(text, e)}`, 'each line must be one complete JSON object') : l.atOffset(0, 0, 'error', 'invalid JSON', 'each line must be one complete JSON object'));
      return this.finish(undefined, diags);
    }
    if (!isObject(value)) {
      err([], `a row must be a JSON object, not ${describeType(value)}`, ROW_HINT);
      return this.finish(undefined, diags);
    }
    const imported = importRow(value);
    if ('problem' in imported) {
      err(imported.problem.path, imported.problem.message, imported.problem.hint ?? ROW_HINT);
      return this.finish(undefined, diags);
    }
    const raw = imported.row;

    // ---- id
    let id: string;
    if (raw.id === undefined || raw.id === null) id = `line-${line}`;
    else if (typeof raw.id === 'string' && raw.id !== '') id = raw.id;
    else if (typeof raw.id === 'number') id = String(raw.id);
    else { err(['id'], `"id" must be a non-empty string, not ${describeType(raw.id)}`); id = ''; }
    if (id && this.ids.has(id)) err(['id'], `duplicate id "${id}"`, 'ids must be unique within a file; rename one');

    // ---- messages
    const messages = this.messages(raw.messages, raw.messagesPath, err);

    // ---- tools
    let tools: readonly ToolDef[] | undefined = this.opts.tools;
    if (raw.tools !== undefined && raw.tools !== null) {
      const key = raw.toolsKey ?? JSON.stringify(raw.tools);
      let hit = this.toolsCache.get(key);
      if (!hit) {
        const problems: Array<[PathSegment[], Diagnostic['severity'], string, string?]> = [];
        const t = normaliseTools(raw.tools, (p, s, m, h) => problems.push([p, s, m, h]));
        hit = { tools: t, problems };
        if (this.toolsCache.size > 10000) this.toolsCache.clear();
        this.toolsCache.set(key, hit);
      }
      for (const [p, s, m, h] of hit.problems) {
        // Paths inside a JSON-string tools field cannot be located more finely than the field itself.
        const path = raw.format === 'tooltune' || raw.format === 'openai-chat' ? [...raw.toolsPath, ...p] : raw.toolsPath;
        (s === 'error' ? err : warn)(path, `tools: ${m}`, h);
      }
      tools = hit.tools;
    } else if (!tools) {
      err([], 'row has no "tools" and no tools file was given', 'pass --tools tools.json or add "tools" to the row');
    }

    // ---- expected
    const expected = tools ? this.expected(raw.expected, raw.expectedPath, raw.format, tools, err) : undefined;
    const row = diags.some((d) => d.severity === 'error') || !messages || !expected || !tools
      ? undefined
      : { id, messages, tools: tools as ToolDef[], expected, line } satisfies DatasetRow;
    if (row) this.result.formats[raw.format]++;
    if (id) this.ids.add(id);
    this.finish(row, diags);
  }

  private finish(row: DatasetRow | undefined, diags: Diagnostic[]): void {
    for (const d of diags) this.result.diagnostics.push(d);
    if (!row) { this.result.skipped++; return; }
    this.result.kept++;
    if (this.opts.collect !== false) this.result.rows.push(row);
    this.opts.onRow?.(row);
  }

  private messages(v: Json | undefined, path: PathSegment[], err: (p: PathSegment[], m: string, h?: string) => void): ChatMessage[] | undefined {
    if (!Array.isArray(v)) { err(path, `"messages" must be an array, not ${describeType(v)}`, ROW_HINT); return undefined; }
    if (v.length === 0) { err(path, '"messages" is empty', 'add at least the user request'); return undefined; }
    // Imported shapes were rebuilt, so their paths only point at the source field.
    const fine = path.length === 1 && path[0] === 'messages';
    let ok = true;
    const out: ChatMessage[] = [];
    for (let i = 0; i < v.length; i++) {
      const m = v[i];
      if (!isObject(m)) { err(sub(path, fine, i), `message ${i} must be an object, not ${describeType(m)}`); ok = false; continue; }
      if (typeof m.role !== 'string' || !ROLES.has(m.role)) { err(sub(path, fine, i, 'role'), `message ${i} has role ${JSON.stringify(m.role ?? null)}`, 'role must be system, user, assistant or tool'); ok = false; continue; }
      const content = m.content === null && m.role === 'assistant' ? '' : m.content;
      if (typeof content !== 'string') { err(sub(path, fine, i, 'content'), `message ${i} content must be a string, not ${describeType(m.content)}`); ok = false; continue; }
      const msg: ChatMessage = { role: m.role as ChatMessage['role'], content };
      if (m.tool_calls !== undefined) msg.tool_calls = m.tool_calls;
      if (typeof m.name === 'string') msg.name = m.name;
      out.push(msg);
    }
    const last = out[out.length - 1];
    if (ok && last && last.role !== 'user' && last.role !== 'tool') {
      err(sub(path, fine, out.length - 1, 'role'), `the last message has role "${last.role}"`, 'the last message must be the user (or tool) turn the model answers');
      ok = false;
    }
    return ok ? out : undefined;
  }

  private expected(v: Json | undefined, path: PathSegment[], format: RowFormat, tools: readonly ToolDef[], err: (p: PathSegment[], m: string, h?: string) => void): ExpectedCall[] | undefined {
    if (!Array.isArray(v)) { err(path, `"expected" must be an array of calls, not ${describeType(v)}`, 'use [] for a row whose right answer is no call'); return undefined; }
    const fine = format === 'tooltune';
    const out: ExpectedCall[] = [];
    let ok = true;
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (!isObject(c)) { err(sub(path, fine, i), `expected[${i}] must be a call object, not ${describeType(c)}`); ok = false; continue; }
      if (typeof c.name !== 'string') { err(sub(path, fine, i, 'name'), `expected[${i}] has no "name" string`); ok = false; continue; }
      const tool = findTool(tools, c.name);
      if (!tool) {
        err(sub(path, fine, i, 'name'), `expected[${i}] calls unknown tool "${c.name}"`, `known tools: ${tools.map((t) => t.function.name).join(', ') || '(none)'}`);
        ok = false; continue;
      }
      const args = c.arguments === undefined ? {} : c.arguments;
      if (!isObject(args)) { err(sub(path, fine, i, 'arguments'), `expected[${i}].arguments must be an object, not ${describeType(args)}`); ok = false; continue; }
      const check = validateArguments(tool, args);
      if (!check.ok) { err(sub(path, fine, i, 'arguments'), `expected[${i}] ${c.name}: ${check.errors.join('; ')}`, 'fix the value or the tool schema'); ok = false; continue; }
      const call: ExpectedCall = { name: c.name, arguments: args as Record<string, Json> };
      if (c.accept !== undefined || c.optional !== undefined) {
        if (!this.extras(c, call, tool, i, path, fine, err)) { ok = false; continue; }
      }
      out.push(call);
    }
    return ok ? out : undefined;
  }

  /** `accept` and `optional` of one expected call; fills them into `call`. */
  private extras(c: Record<string, Json>, call: ExpectedCall, tool: ToolDef, i: number, path: PathSegment[], fine: boolean, err: (p: PathSegment[], m: string, h?: string) => void): boolean {
    const props = (tool.function.parameters.properties ?? {}) as Record<string, unknown>;
    const known = `parameters: ${Object.keys(props).join(', ') || '(none)'}`;
    let ok = true;
    if (c.accept !== undefined) {
      if (!isObject(c.accept)) { err(sub(path, fine, i, 'accept'), `expected[${i}].accept must map parameter names to arrays of values`); return false; }
      for (const [p, vals] of Object.entries(c.accept)) {
        if (!(p in props)) { err(sub(path, fine, i, 'accept', p), `expected[${i}].accept names "${p}", which is not a parameter of ${c.name}`, known); ok = false; }
        else if (!Array.isArray(vals)) { err(sub(path, fine, i, 'accept', p), `expected[${i}].accept.${p} must be an array of acceptable values`); ok = false; }
      }
      if (ok) call.accept = c.accept as Record<string, Json[]>;
    }
    if (c.optional !== undefined) {
      if (!Array.isArray(c.optional) || c.optional.some((p) => typeof p !== 'string')) { err(sub(path, fine, i, 'optional'), `expected[${i}].optional must be an array of parameter names`); return false; }
      const req = tool.function.parameters.required ?? [];
      c.optional.forEach((p, k) => {
        if (!((p as string) in props)) { err(sub(path, fine, i, 'optional', k), `expected[${i}].optional names "${p as string}", which is not a parameter of ${c.name}`, known); ok = false; }
        else if (req.includes(p as string)) { err(sub(path, fine, i, 'optional', k), `expected[${i}].optional names "${p as string}", which the schema of ${c.name} requires`, 'a required parameter cannot be left out'); ok = false; }
      });
      if (ok) call.optional = c.optional as string[];
    }
    return ok;
  }
}

/** Path of an element inside `path`, or `path` itself when the row was rebuilt by an importer. */
function sub(path: PathSegment[], fine: boolean, ...rest: PathSegment[]): PathSegment[] {
  return fine ? [...path, ...rest] : path;
}

/** Stream and validate a JSONL file. Never throws for bad content; an unreadable file is one diagnostic. */
export async function loadDataset(path: string, opts: DatasetOptions = {}): Promise<DatasetResult> {
  const v = new RowValidator(path, opts);
  const max = opts.maxRowBytes ?? DEFAULT_MAX_LINE_BYTES;
  let lines = 0;
  try {
    for await (const batch of readJsonlBatches(path, max)) for (const item of batch) {
      if (item.kind === 'line') { lines++; v.line(item.text, item.line); continue; }
      if (item.kind === 'bom') { v.result.diagnostics.push({ file: path, line: 1, column: 1, severity: 'warning', message: BOM_WARNING, hint: 'save the file as UTF-8 without BOM' }); continue; }
      if (item.kind === 'utf16') { lines++; v.result.diagnostics.push({ file: path, line: 1, column: 1, severity: 'error', message: UTF16_ERROR, hint: UTF16_HINT }); continue; }
      lines++;
      v.result.skipped++;
      if (item.kind === 'too-long') {
        v.result.diagnostics.push({ file: path, line: item.line, column: 1, severity: 'error', message: `row is ${(item.bytes / 1048576).toFixed(1)} MB; rows are limited to ${(max / 1048576).toFixed(1)} MB`, hint: 'shorten the row (tool outputs and long documents are the usual cause)' });
      } else {
        v.result.diagnostics.push({ file: path, line: item.line, column: item.column, severity: 'error', message: `invalid UTF-8 (byte 0x${item.byte.toString(16).padStart(2, '0')})`, hint: 're-save the file as UTF-8' });
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    v.result.diagnostics.push({ file: path, line: 1, column: 1, severity: 'error', message: code === 'ENOENT' ? 'dataset file not found' : code === 'EISDIR' ? 'dataset path is a directory' : `cannot read dataset (${code ?? String(e)})`, hint: 'check the --data path' });
    return v.result;
  }
  if (lines === 0) v.result.diagnostics.push({ file: path, line: 1, column: 1, severity: 'error', message: 'dataset is empty', hint: 'write one JSON row per line' });
  return v.result;
}

/** Validate JSONL text already in memory (small inputs, tests, editor buffers). */
export function parseDatasetText(text: string, file = '<dataset>', opts: DatasetOptions = {}): DatasetResult {
  const v = new RowValidator(file, opts);
  let body = text;
  if (body.charCodeAt(0) === 0xfeff) { body = body.slice(1); v.result.diagnostics.push({ file, line: 1, column: 1, severity: 'warning', message: BOM_WARNING }); }
  const lines = body.split('\n');
  let any = false;
  lines.forEach((l, i) => {
    const s = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (s.trim() === '') return;
    any = true;
    v.line(s, i + 1);
  });
  if (!any) v.result.diagnostics.push({ file, line: 1, column: 1, severity: 'error', message: 'dataset is empty', hint: 'write one JSON row per line' });
  return v.result;
}

export function rowCategory(row: { expected: readonly unknown[] }): RowCategory {
  return row.expected.length === 0 ? 'no_call' : row.expected.length === 1 ? 'single' : 'parallel';
}

/** The last user message: the request text (for display and for duplicate-request checks). */
export function requestText(row: Pick<DatasetRow, 'messages'>): string {
  for (let i = row.messages.length - 1; i >= 0; i--) if (row.messages[i]!.role === 'user') return row.messages[i]!.content;
  return '';
}
