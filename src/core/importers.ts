// Importers: turn the row shapes of public tool-calling datasets into ToolTune's row shape (ARCHITECTURE.md
// "Dataset row") before validation. Each returns a RawRow whose fields still point (by path) into the source row,
// so a problem found later is reported at the right place in the user's file.
//
//   xLAM (Salesforce xlam-function-calling-60k): {"id", "query", "tools", "answers"}; tools/answers may be JSON strings
//   OpenAI chat fine-tuning: {"messages": [... {"role":"assistant","tool_calls":[{"function":{"name","arguments"}}]}], "tools"}
//   Hermes / ShareGPT: {"conversations": [{"from":"system|human|gpt|tool","value"}], "tools"?}; calls are
//     <tool_call> blocks in the last gpt turn; tools may also sit in the system turn inside <tools></tools>
import type { Json, ToolCall } from './types';
import type { PathSegment } from './source-location';
import { hermes } from './codecs/hermes';
import { readCall } from './codecs/json-calls';
import { parsePythonLiteral } from './codecs/pythonic';
import { describeType, isObject } from './tools';

export type RowFormat = 'tooltune' | 'xlam' | 'openai-chat' | 'sharegpt';

export interface RawRow {
  format: RowFormat;
  id?: Json;
  messages: Json;
  messagesPath: PathSegment[];
  tools?: Json;
  /** the tools' source text when it was a JSON string (xLAM): a cheap cache key for rows that repeat it */
  toolsKey?: string;
  toolsPath: PathSegment[];
  expected: Json;
  expectedPath: PathSegment[];
}

export type ImportProblem = { path: PathSegment[]; message: string; hint?: string };
export type Imported = { row: RawRow } | { problem: ImportProblem };

const FORMAT_HINT = 'a row needs "messages" and "expected" (ToolTune), "query"/"tools"/"answers" (xLAM), "messages" with an assistant turn (OpenAI chat) or "conversations" (ShareGPT)';

/** Recognise the row's format and convert it. */
export function importRow(obj: Record<string, Json>): Imported {
  if ('expected' in obj) {
    return { row: { format: 'tooltune', id: obj.id, messages: obj.messages, messagesPath: ['messages'], tools: obj.tools, toolsPath: ['tools'], expected: obj.expected, expectedPath: ['expected'] } };
  }
  if ('query' in obj && 'answers' in obj) return importXlam(obj);
  if ('conversations' in obj) return importShareGpt(obj);
  if ('messages' in obj) return importOpenAiChat(obj);
  return { problem: { path: [], message: 'row format not recognised', hint: FORMAT_HINT } };
}

/** A field that may hold JSON or a JSON string of it (xLAM stores tools and answers as strings). */
function jsonOrString(v: Json | undefined, path: PathSegment[], what: string): { value: Json } | { problem: ImportProblem } {
  if (typeof v !== 'string') return { value: v ?? null };
  try {
    return { value: JSON.parse(v) as Json };
  } catch (e) {
    return { problem: { path, message: `${what} is a string that is not valid JSON (${e instanceof Error ? e.message : String(e)})`, hint: `write ${what} as a JSON array or a correctly escaped JSON string` } };
  }
}

/** Calls of a ShareGPT gpt turn: Hermes blocks holding JSON, or (hermes-function-calling-v1) Python dicts such as
 *  <tool_call>\n{'arguments': {'symbol': 'AAPL'}, 'name': 'get_stock_price'}\n</tool_call>. */
function readGptTurn(text: string): { calls: ToolCall[]; errors: string[] } {
  const parsed = hermes.parse(text);
  if (!parsed.errors.length) return parsed;
  const calls: ToolCall[] = [];
  for (const m of text.matchAll(/<tool_call>([\s\S]*?)<\/tool_call>/g)) {
    const v = parsePythonLiteral(m[1]!.trim());
    const r = v === undefined ? { error: 'not JSON or a Python literal' } : readCall(v, ['arguments', 'parameters']);
    if (!r.call) return { calls: [], errors: parsed.errors };
    calls.push(r.call);
  }
  return calls.length ? { calls, errors: [] } : parsed;
}

// xLAM's function-calling-60k describes parameters Python-style, not as JSON Schema:
//   "parameters": {"city": {"description": "…", "type": "str", "default": "Paris"}, "n": {"type": "List[int], optional"}}
// These map to JSON Schema types; a parameter marked ", optional" or given a default is not required.
const PY_TYPES: Record<string, string> = { str: 'string', string: 'string', int: 'integer', integer: 'integer', float: 'number', number: 'number', bool: 'boolean', boolean: 'boolean', list: 'array', tuple: 'array', set: 'array', dict: 'object', object: 'object' };

function pythonTypeSchema(t: string): Record<string, Json> {
  const m = /^\s*([A-Za-z]+)\s*(?:\[(.*)\])?\s*$/.exec(t);
  if (!m) return {};
  const base = PY_TYPES[m[1]!.toLowerCase()];
  if (!base) return {};
  const out: Record<string, Json> = { type: base };
  if (base === 'array' && m[2] && PY_TYPES[m[2].trim().toLowerCase()]) out.items = { type: PY_TYPES[m[2].trim().toLowerCase()]! };
  return out;
}

/** Is this xLAM's parameter map rather than a JSON Schema? (no "type": "object"/"properties", every value a
 *  parameter description with a string "type") */
function isXlamParameterMap(p: Json | undefined): p is Record<string, Json> {
  if (!isObject(p) || 'properties' in p || p.type === 'object') return false;
  const vals = Object.values(p);
  return vals.length > 0 && vals.every((v) => isObject(v) && typeof v.type === 'string');
}

export function xlamToolsToSchema(tools: Json): Json {
  if (!Array.isArray(tools)) return tools;
  return tools.map((t) => {
    if (!isObject(t) || !isXlamParameterMap(t.parameters)) return t;
    const properties: Record<string, Json> = {};
    const required: string[] = [];
    for (const [name, spec] of Object.entries(t.parameters)) {
      const o = spec as Record<string, Json>;
      const raw = String(o.type);
      const optional = /,\s*optional\s*$/i.test(raw) || 'default' in o;
      const schema: Record<string, Json> = pythonTypeSchema(raw.replace(/,\s*optional\s*$/i, ''));
      if (typeof o.description === 'string') schema.description = o.description;
      if ('default' in o && o.default !== '') schema.default = o.default!;
      properties[name] = schema;
      if (!optional) required.push(name);
    }
    return { ...t, parameters: { type: 'object', properties, required } };
  });
}

// xLAM rows repeat the same tools text across many rows: parse and convert each distinct text once.
const xlamToolsCache = new Map<string, Json>();

function importXlam(obj: Record<string, Json>): Imported {
  if (typeof obj.query !== 'string') return { problem: { path: ['query'], message: `"query" must be a string, not ${describeType(obj.query)}` } };
  let tools: { value: Json } | { problem: ImportProblem };
  const cached = typeof obj.tools === 'string' ? xlamToolsCache.get(obj.tools) : undefined;
  if (cached !== undefined) tools = { value: cached };
  else {
    tools = jsonOrString(obj.tools, ['tools'], '"tools"');
    if ('problem' in tools) return tools;
    tools.value = xlamToolsToSchema(tools.value);
    if (typeof obj.tools === 'string') {
      if (xlamToolsCache.size > 2000) xlamToolsCache.clear();
      xlamToolsCache.set(obj.tools, tools.value);
    }
  }
  const answers = jsonOrString(obj.answers, ['answers'], '"answers"');
  if ('problem' in answers) return answers;
  return {
    row: {
      format: 'xlam', id: obj.id, messages: [{ role: 'user', content: obj.query }], messagesPath: ['query'],
      tools: tools.value ?? undefined, toolsPath: ['tools'], expected: answers.value, expectedPath: ['answers'],
      ...(typeof obj.tools === 'string' ? { toolsKey: obj.tools } : {}),
    },
  };
}

function importOpenAiChat(obj: Record<string, Json>): Imported {
  const msgs = obj.messages;
  if (!Array.isArray(msgs)) return { problem: { path: ['messages'], message: `"messages" must be an array, not ${describeType(msgs)}` } };
  let last = -1;
  for (let i = msgs.length - 1; i >= 0; i--) if (isObject(msgs[i]) && (msgs[i] as Record<string, Json>).role === 'assistant') { last = i; break; }
  if (last < 0) return { problem: { path: ['messages'], message: 'row has no "expected" and no assistant message to take the answer from', hint: 'add "expected": [...] or end the conversation with the assistant turn to learn' } };
  const answer = msgs[last] as Record<string, Json>;
  const expected: Json[] = [];
  const calls = answer.tool_calls;
  if (calls !== undefined && calls !== null) {
    if (!Array.isArray(calls)) return { problem: { path: ['messages', last, 'tool_calls'], message: '"tool_calls" must be an array' } };
    for (let i = 0; i < calls.length; i++) {
      const tc = calls[i];
      const fn = isObject(tc) && isObject(tc.function) ? tc.function : undefined;
      if (!fn) return { problem: { path: ['messages', last, 'tool_calls', i], message: 'a tool call must be {"type":"function","function":{"name","arguments"}}' } };
      const args = jsonOrString(fn.arguments, ['messages', last, 'tool_calls', i, 'function', 'arguments'], '"arguments"');
      if ('problem' in args) return args;
      expected.push({ name: fn.name ?? null, arguments: args.value ?? {} });
    }
  }
  const tools = obj.tools ?? (Array.isArray(obj.functions) ? obj.functions : undefined);
  return {
    row: {
      format: 'openai-chat', id: obj.id, messages: msgs.slice(0, last), messagesPath: ['messages'],
      tools, toolsPath: obj.tools !== undefined ? ['tools'] : ['functions'], expected, expectedPath: ['messages', last],
    },
  };
}

const SHAREGPT_ROLES: Record<string, string> = { system: 'system', human: 'user', user: 'user', gpt: 'assistant', assistant: 'assistant', tool: 'tool', function_response: 'tool', observation: 'tool' };

function importShareGpt(obj: Record<string, Json>): Imported {
  const conv = obj.conversations;
  if (!Array.isArray(conv)) return { problem: { path: ['conversations'], message: `"conversations" must be an array, not ${describeType(conv)}` } };
  const messages: Json[] = [];
  for (let i = 0; i < conv.length; i++) {
    const t = conv[i];
    if (!isObject(t) || typeof t.from !== 'string' || typeof t.value !== 'string') {
      return { problem: { path: ['conversations', i], message: 'a ShareGPT turn must be {"from": string, "value": string}' } };
    }
    const role = SHAREGPT_ROLES[t.from];
    if (!role) return { problem: { path: ['conversations', i, 'from'], message: `unknown ShareGPT role "${t.from}"`, hint: `use one of: ${Object.keys(SHAREGPT_ROLES).join(', ')}` } };
    messages.push({ role, content: t.value });
  }
  let last = -1;
  for (let i = messages.length - 1; i >= 0; i--) if ((messages[i] as Record<string, Json>).role === 'assistant') { last = i; break; }
  if (last < 0) return { problem: { path: ['conversations'], message: 'no gpt turn to take the answer from' } };
  const parsed = readGptTurn((messages[last] as Record<string, string>).content!);
  if (parsed.errors.length) return { problem: { path: ['conversations', last, 'value'], message: `the gpt turn's tool calls do not parse: ${parsed.errors.join('; ')}`, hint: 'write each call as <tool_call>\\n{"name": …, "arguments": {…}}\\n</tool_call>' } };
  let tools: Json | undefined = obj.tools;
  let toolsPath: PathSegment[] = ['tools'];
  if (typeof tools === 'string') {
    const t = jsonOrString(tools, ['tools'], '"tools"');
    if ('problem' in t) return t;
    tools = t.value;
  }
  if (tools === undefined) {
    const sysIdx = messages.findIndex((m) => (m as Record<string, Json>).role === 'system');
    const sys = sysIdx >= 0 ? String((messages[sysIdx] as Record<string, Json>).content) : '';
    const m = /<tools>([\s\S]*?)<\/tools>/.exec(sys);
    if (m) {
      toolsPath = ['conversations', sysIdx, 'value'];
      const body = m[1]!.trim();
      try {
        // Either one JSON array, or one JSON tool per line (the Qwen template's layout).
        tools = body.startsWith('[') ? JSON.parse(body) as Json : body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Json);
      } catch {
        // NousResearch's hermes-function-calling data writes the list as a Python literal (single quotes).
        tools = parsePythonLiteral(body);
        if (tools === undefined) return { problem: { path: toolsPath, message: 'the <tools> block of the system turn is neither JSON nor a Python literal' } };
      }
    }
  }
  return {
    row: {
      format: 'sharegpt', id: obj.id, messages: messages.slice(0, last), messagesPath: ['conversations'],
      tools, toolsPath, expected: parsed.calls as unknown as Json, expectedPath: ['conversations', last, 'value'],
    },
  };
}
