// Llama 3.1 / 3.2 JSON tool calls (PAPERS.md §5): `{"name": "f", "parameters": {…}}`, possibly after
// `<|python_tag|>` and before `<|eom_id|>`/`<|eot_id|>`. Llama's template documents a single call; for several we
// write a JSON array of call objects and also read objects separated by ";" or newlines (what the models emit).
// format([]) is NO_CALL_REPLY; plain text without call syntax parses as a clean no-call answer.
import type { Codec, Json, ParseResult, ToolCall } from '../types';
import { callJson, readCall, scanJsonEnd, tryParseJson } from './json-calls';
import { NO_CALL_REPLY, readPlainReply } from './plain-reply';
import { stripEndOfTurn } from './end-of-turn';

const ARGS_KEYS = ['parameters', 'arguments'] as const;

function format(calls: readonly ToolCall[]): string {
  if (!calls.length) return NO_CALL_REPLY;
  if (calls.length === 1) return callJson(calls[0]!, 'parameters');
  return '[' + calls.map((c) => callJson(c, 'parameters')).join(', ') + ']';
}

function parse(text: string): ParseResult {
  let t = stripEndOfTurn(text).trim();
  if (t.startsWith('<|python_tag|>')) t = t.slice('<|python_tag|>'.length).trim();
  if (!/^[[{]/.test(t)) {
    return readPlainReply(t, (s) => (/\{\s*"name"\s*:/.test(s) ? 'text before the JSON call' : undefined));
  }
  const calls: ToolCall[] = [];
  const errors: string[] = [];
  let clean = true;
  let pos = 0;
  while (pos < t.length) {
    const end = scanJsonEnd(t, pos);
    if (end < 0) { clean = false; errors.push('unterminated JSON'); break; }
    const v = tryParseJson(t.slice(pos, end));
    if (!v.ok) { clean = false; errors.push(`invalid JSON: ${v.error}`); break; }
    const items: Json[] = Array.isArray(v.value) ? v.value : [v.value];
    for (const it of items) {
      const r = readCall(it, ARGS_KEYS);
      if (r.call) calls.push(r.call); else { clean = false; errors.push(r.error!); }
    }
    const sep = /^\s*[;,]?\s*/.exec(t.slice(end))![0];
    pos = end + sep.length;
    if (pos < t.length && !/^[[{]/.test(t.slice(pos))) { clean = false; errors.push('text after the JSON'); break; }
  }
  return { calls, clean, errors };
}

export const llama3Json: Codec = { name: 'llama3-json', format, parse };
