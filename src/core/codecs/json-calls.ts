// JSON call objects shared by the JSON-based codecs (hermes, llama3-json, xlam, json): writing them the way the
// models were trained to see them, finding where a JSON value ends inside model text, and reading a call object
// leniently enough to score partial answers but strictly enough to report every deviation.
import type { Json, ToolCall } from '../types';
import { stripEndOfTurn } from './end-of-turn';

/** JSON text with Python's `json.dumps` separators (", " and ": ") and non-ASCII kept: this is what Hugging Face
 *  chat templates' `tojson` writes, so SFT targets tokenise the way Qwen/Llama tool calls were pre-trained. */
export function pyJson(v: Json | undefined): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return '[' + v.map(pyJson).join(', ') + ']';
  return '{' + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ': ' + pyJson(x)).join(', ') + '}';
}

/** `{"name": …, "arguments": {…}}` with the given arguments key. */
export function callJson(c: ToolCall, argsKey = 'arguments'): string {
  return `{"name": ${JSON.stringify(c.name)}, "${argsKey}": ${pyJson(c.arguments)}}`;
}

/** Index just past the JSON object/array starting at `start` (text[start] is `{` or `[`), or -1 when it never
 *  closes. Strings and escapes are respected; brackets are not checked for kind (JSON.parse does that next). */
export function scanJsonEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
      if (depth < 0) return -1;
    }
  }
  return -1;
}

export function tryParseJson(text: string): { ok: true; value: Json } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Read one call object. `argsKeys` in order of preference (hermes: arguments; llama: parameters, arguments).
 *  Arguments given as a JSON string (OpenAI's wire form) are decoded. */
export function readCall(v: Json, argsKeys: readonly string[]): { call?: ToolCall; error?: string } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { error: `a call must be a JSON object, got ${Array.isArray(v) ? 'an array' : JSON.stringify(v)?.slice(0, 30)}` };
  // OpenAI wire shape {"type":"function","function":{name, arguments}} also appears in model output.
  const o = v.function && typeof v.function === 'object' && !Array.isArray(v.function) ? (v.function as Record<string, Json>) : v;
  if (typeof o.name !== 'string' || o.name === '') return { error: 'call has no "name" string' };
  let args: Json | undefined;
  let key: string | undefined;
  for (const k of argsKeys) if (k in o) { args = o[k]; key = k; break; }
  if (key === undefined) return { call: { name: o.name, arguments: {} } };
  if (typeof args === 'string') {
    const p = tryParseJson(args);
    if (!p.ok) return { error: `"${key}" of ${o.name} is a string that is not JSON` };
    args = p.value;
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return { error: `"${key}" of ${o.name} must be an object` };
  return { call: { name: o.name, arguments: args as Record<string, Json> } };
}

/** Parse text that must be exactly one JSON value holding calls: an object (one call, or a wrapper with a
 *  `listKey` array) or an array of call objects. Text after the value makes it unclean but the calls still count
 *  for diagnostics. */
export function readJsonCalls(text: string, argsKeys: readonly string[], listKey?: string): { calls: ToolCall[]; clean: boolean; errors: string[] } {
  const errors: string[] = [];
  const t = stripEndOfTurn(text).trim();
  if (t === '') return { calls: [], clean: false, errors: ['empty output'] };
  const start = t.search(/[[{]/);
  if (start < 0) return { calls: [], clean: false, errors: ['no JSON in the output'] };
  let clean = start === 0;
  if (!clean) errors.push('text before the JSON');
  const end = scanJsonEnd(t, start);
  if (end < 0) return { calls: [], clean: false, errors: [...errors, 'unterminated JSON'] };
  if (t.slice(end).trim() !== '') { clean = false; errors.push('text after the JSON'); }
  const parsed = tryParseJson(t.slice(start, end));
  if (!parsed.ok) return { calls: [], clean: false, errors: [...errors, `invalid JSON: ${parsed.error}`] };
  let items: Json[];
  const v = parsed.value;
  if (Array.isArray(v)) items = v;
  else if (listKey && v && typeof v === 'object' && listKey in v) {
    const list = (v as Record<string, Json>)[listKey];
    if (!Array.isArray(list)) return { calls: [], clean: false, errors: [...errors, `"${listKey}" must be an array`] };
    items = list;
  } else items = [v];
  const calls: ToolCall[] = [];
  for (const it of items) {
    const r = readCall(it, argsKeys);
    if (r.call) calls.push(r.call);
    else { errors.push(r.error!); clean = false; }
  }
  return { calls, clean, errors };
}
