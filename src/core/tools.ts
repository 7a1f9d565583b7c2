// Tool schemas: load a tools file in any of the accepted shapes (ARCHITECTURE.md "Tools file"), normalise it to
// OpenAI function tools (`ToolDef`) and validate it. Every problem becomes a located Diagnostic (file, line, column,
// JSON pointer, hint); nothing throws on bad input.
//
// Accepted shapes:
//   [{"type":"function","function":{name, description, parameters}}, ...]   OpenAI tools
//   {"tools":[...]}  /  {"result":{"tools":[...]}}                             wrapper, MCP tools/list result
//   [{name, description, parameters}]  /  [{name, description, inputSchema}]  bare functions, MCP tools
//   {name, description, parameters}                                           a single bare function
//
//   const { tools, diagnostics } = await loadTools('tools.json');
//   const { tools } = parseTools(text, 'tools.json');
import { readFile } from 'node:fs/promises';
import type { Diagnostic, Json, JsonSchemaObject, ToolDef } from './types';
import { Locator, explainSyntaxError, parseJsonDocument, type PathSegment } from './source-location';
import { compileSchema, mapBfclTypes } from './schema';
import { decodeUtf8Text } from './text-input';

export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export interface ToolsLoadResult { tools: ToolDef[]; diagnostics: Diagnostic[] }

/** Receives a problem found at a path relative to the value being normalised. */
export type Reporter = (path: PathSegment[], severity: Diagnostic['severity'], message: string, hint?: string) => void;

const SHAPES_HINT = 'write an array of {"type":"function","function":{"name","description","parameters"}} objects (see ARCHITECTURE.md "Tools file")';

/** Read and validate a tools file. Never throws for bad content; a missing file is one diagnostic. */
export async function loadTools(path: string): Promise<ToolsLoadResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { tools: [], diagnostics: [{ file: path, line: 1, column: 1, severity: 'error', message: code === 'ENOENT' ? 'tools file not found' : `cannot read tools file (${code ?? String(e)})`, hint: 'check the --tools path' }] };
  }
  return parseToolsBytes(bytes, path);
}

export function parseToolsBytes(bytes: Uint8Array, file: string): ToolsLoadResult {
  const decoded = decodeUtf8Text(bytes, file);
  if (decoded.text === undefined) return { tools: [], diagnostics: decoded.diagnostics };
  const r = parseTools(decoded.text, file);
  return { tools: r.tools, diagnostics: [...decoded.diagnostics, ...r.diagnostics] };
}

/** Parse and validate a tools file's text. */
export function parseTools(text: string, file = '<tools>'): ToolsLoadResult {
  const diagnostics: Diagnostic[] = [];
  if (text.trim() === '') {
    return { tools: [], diagnostics: [{ file, line: 1, column: 1, severity: 'error', message: 'tools file is empty', hint: SHAPES_HINT }] };
  }
  const doc = parseJsonDocument(text);
  const loc = new Locator(file, text, doc.tree);
  if (doc.errors.length) {
    // Only the first syntax error: the rest are usually the parser losing its footing after it.
    const e = doc.errors[0]!;
    diagnostics.push(loc.atOffset(e.offset, e.length, 'error', `invalid JSON: ${explainSyntaxError(text, e)}`, 'fix the JSON syntax (a JSON linter or the editor\'s JSON mode shows it)'));
    return { tools: [], diagnostics };
  }
  const tools = normaliseTools(doc.value as Json, (path, severity, message, hint) => diagnostics.push(loc.at(path, severity, message, hint)));
  return { tools, diagnostics };
}

/** Normalise any accepted tools value (file content or a dataset row's `tools`) to ToolDefs, reporting problems.
 *  Invalid tools are left out; the rest are returned. */
export function normaliseTools(value: Json, report: Reporter, base: PathSegment[] = []): ToolDef[] {
  let list: Json[];
  let listPath: PathSegment[];
  if (Array.isArray(value)) {
    list = value; listPath = base;
  } else if (isObject(value) && Array.isArray(value.tools)) {
    list = value.tools; listPath = [...base, 'tools'];
  } else if (isObject(value) && 'tools' in value) {
    report([...base, 'tools'], 'error', `"tools" must be an array of tools, not ${describeType(value.tools)}`, SHAPES_HINT);
    return [];
  } else if (isObject(value) && isObject(value.result) && Array.isArray(value.result.tools)) {
    list = value.result.tools; listPath = [...base, 'result', 'tools'];
  } else if (isObject(value) && (typeof value.name === 'string' || isObject(value.function))) {
    list = [value]; listPath = base;
    const one = normaliseTool(value, base, report);
    return one ? checkUnique([one], [base], report) : [];
  } else {
    report(base, 'error', `tools must be a JSON array or an object with a "tools" array, not ${describeType(value)}`, SHAPES_HINT);
    return [];
  }
  if (list.length === 0) report(listPath, 'warning', 'the tools list is empty: every row will be a no-call row', 'add the functions the model may call');
  const out: ToolDef[] = [];
  const paths: PathSegment[][] = [];
  list.forEach((item, i) => {
    const t = normaliseTool(item, [...listPath, i], report);
    if (t) { out.push(t); paths.push([...listPath, i]); }
  });
  return checkUnique(out, paths, report);
}

function checkUnique(tools: ToolDef[], paths: PathSegment[][], report: Reporter): ToolDef[] {
  const seen = new Map<string, number>();
  const out: ToolDef[] = [];
  tools.forEach((t, i) => {
    const first = seen.get(t.function.name);
    if (first !== undefined) {
      report([...paths[i]!], 'error', `duplicate tool name "${t.function.name}" (also tool ${first})`, 'tool names must be unique; rename or remove one');
      return;
    }
    seen.set(t.function.name, i);
    out.push(t);
  });
  return out;
}

function normaliseTool(item: Json, path: PathSegment[], report: Reporter): ToolDef | undefined {
  if (!isObject(item)) {
    report(path, 'error', `a tool must be an object, not ${describeType(item)}`, SHAPES_HINT);
    return undefined;
  }
  let fn: Record<string, Json>;
  let fnPath: PathSegment[];
  let schemaKey: 'parameters' | 'inputSchema' = 'parameters';
  if ('function' in item) {
    if (!isObject(item.function)) { report([...path, 'function'], 'error', `"function" must be an object, not ${describeType(item.function)}`, SHAPES_HINT); return undefined; }
    if (item.type !== undefined && item.type !== 'function') {
      report([...path, 'type'], 'error', `unsupported tool type ${JSON.stringify(item.type)}`, 'only {"type":"function"} tools are supported');
      return undefined;
    }
    fn = item.function; fnPath = [...path, 'function'];
  } else {
    fn = item; fnPath = path;
    if ('inputSchema' in item && !('parameters' in item)) schemaKey = 'inputSchema';
  }
  const name = fn.name;
  if (typeof name !== 'string') {
    report(name === undefined ? fnPath : [...fnPath, 'name'], 'error', name === undefined ? 'tool has no "name"' : `tool "name" must be a string, not ${describeType(name)}`, SHAPES_HINT);
    return undefined;
  }
  if (!TOOL_NAME_PATTERN.test(name)) {
    report([...fnPath, 'name'], 'error', `invalid tool name ${JSON.stringify(name)}: names are 1–64 characters of A–Z a–z 0–9 _ . -`, 'rename the tool (e.g. spaces → underscores)');
    return undefined;
  }
  if (fn.description !== undefined && typeof fn.description !== 'string') {
    report([...fnPath, 'description'], 'error', `"description" of tool "${name}" must be a string, not ${describeType(fn.description)}`);
    return undefined;
  }
  const schemaPath = [...fnPath, schemaKey];
  const params = checkParameters(fn[schemaKey], name, schemaPath, report);
  if (!params) return undefined;
  const def: ToolDef = { type: 'function', function: { name, parameters: params } };
  if (typeof fn.description === 'string') def.function.description = fn.description;
  return def;
}

function checkParameters(raw: Json | undefined, tool: string, path: PathSegment[], report: Reporter): JsonSchemaObject | undefined {
  // OpenAI allows a function without parameters: it takes none.
  if (raw === undefined || raw === null) return { type: 'object', properties: {} };
  if (!isObject(raw)) {
    report(path, 'error', `parameters of tool "${tool}" must be a JSON Schema object, not ${describeType(raw)}`, 'write {"type":"object","properties":{…},"required":[…]}');
    return undefined;
  }
  const { schema, rewrites } = mapBfclTypes(raw);
  for (const r of rewrites) {
    report([...path, ...r.path], 'warning', `BFCL type "${r.from}" in tool "${tool}" read as JSON Schema ${r.to === '(any type)' ? 'with no type constraint' : `"${r.to}"`}`, `write "type": "${r.to === '(any type)' ? '…' : r.to}" to silence this`);
  }
  const s = schema as JsonSchemaObject;
  if (s.type !== undefined && s.type !== 'object') {
    report([...path, 'type'], 'error', `parameters of tool "${tool}" must have "type": "object", not ${JSON.stringify(s.type)}`, 'wrap the arguments in {"type":"object","properties":{…}}');
    return undefined;
  }
  let ok = true;
  const props = s.properties;
  if (props !== undefined && (props === null || typeof props !== 'object' || Array.isArray(props))) {
    report([...path, 'properties'], 'error', `"properties" of tool "${tool}" must be an object mapping parameter names to schemas`);
    ok = false;
  }
  if (s.required !== undefined) {
    if (!Array.isArray(s.required) || s.required.some((r) => typeof r !== 'string')) {
      report([...path, 'required'], 'error', `"required" of tool "${tool}" must be an array of parameter names`);
      ok = false;
    } else if (ok) {
      s.required.forEach((r, i) => {
        if (!props || !(r in (props as object))) {
          report([...path, 'required', i], 'error', `required parameter "${r}" of tool "${tool}" is not in "properties"`, `add "${r}" to properties or remove it from required`);
          ok = false;
        }
      });
    }
  }
  if (!ok) return undefined;
  const compiled = compileSchema(s);
  if (!compiled.ok) {
    report(path, 'error', `parameters of tool "${tool}" do not compile as JSON Schema: ${compiled.error}`, 'fix the schema (see json-schema.org)');
    return undefined;
  }
  return s;
}

export function findTool(tools: readonly ToolDef[], name: string): ToolDef | undefined {
  for (const t of tools) if (t.function.name === name) return t;
  return undefined;
}

/** Parameter names a tool declares. */
export function parameterNames(tool: ToolDef): string[] {
  const p = tool.function.parameters.properties;
  return p && typeof p === 'object' ? Object.keys(p) : [];
}

export function isObject(v: unknown): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function describeType(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v} (${JSON.stringify(v).slice(0, 40)})`;
}
