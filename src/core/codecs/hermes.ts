// Hermes tool calls (Qwen2.5, Qwen3, SmolLM3, Hammer; PAPERS.md §5): one block per call,
//   <tool_call>
//   {"name": "get_weather", "arguments": {"city": "Paris"}}
//   </tool_call>
// blocks joined by "\n", exactly as the Qwen chat templates render an assistant turn's tool_calls.
// format([]) is NO_CALL_REPLY (plain text). parse() is clean only when the output is nothing but call blocks
// (whitespace between them allowed; an empty `<think></think>` prefix, which Qwen3 writes with thinking off, is
// allowed too), or a plain-text reply with no call syntax.
import type { Codec, ParseResult, ToolCall } from '../types';
import { callJson, readCall, scanJsonEnd, tryParseJson } from './json-calls';
import { NO_CALL_REPLY, readPlainReply } from './plain-reply';
import { stripEndOfTurn } from './end-of-turn';

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';
const EMPTY_THINK = /^\s*<think>\s*<\/think>/;

function format(calls: readonly ToolCall[]): string {
  if (!calls.length) return NO_CALL_REPLY;
  return calls.map((c) => `${OPEN}\n${callJson(c)}\n${CLOSE}`).join('\n');
}

function parse(text: string): ParseResult {
  const body = stripEndOfTurn(text).replace(EMPTY_THINK, '');
  if (!body.includes(OPEN) && !body.includes(CLOSE)) {
    return readPlainReply(body, (t) => (/^[[{]/.test(t) && /"name"\s*:/.test(t) ? 'a call without <tool_call> tags' : undefined));
  }
  const calls: ToolCall[] = [];
  const errors: string[] = [];
  let clean = true;
  let pos = 0;
  while (pos < body.length) {
    const open = body.indexOf(OPEN, pos);
    const outside = body.slice(pos, open < 0 ? body.length : open);
    if (outside.includes(CLOSE)) { clean = false; errors.push(`${CLOSE} without ${OPEN}`); }
    else if (outside.trim() !== '') { clean = false; errors.push(pos === 0 ? 'text before the tool calls' : 'text between or after the tool calls'); }
    if (open < 0) break;
    const start = open + OPEN.length;
    // The block ends at the </tool_call> after the JSON value, found by scanning the JSON (strings respected), so
    // an argument that itself contains "</tool_call>" cannot cut the block short.
    const jsonStart = nextNonSpace(body, start);
    const jsonEnd = body[jsonStart] === '{' ? scanJsonEnd(body, jsonStart) : -1;
    const afterJson = jsonEnd > 0 ? nextNonSpace(body, jsonEnd) : -1;
    const close = afterJson >= jsonEnd && jsonEnd > 0 && body.startsWith(CLOSE, afterJson) ? afterJson : body.indexOf(CLOSE, start);
    const nextOpen = body.indexOf(OPEN, jsonEnd > 0 && close === afterJson ? jsonEnd : start);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      clean = false;
      errors.push(`unterminated ${OPEN}`);
      pos = nextOpen >= 0 ? nextOpen : body.length;
      continue;
    }
    const inner = body.slice(start, close).trim();
    const json = tryParseJson(inner);
    if (!json.ok) { clean = false; errors.push(`invalid JSON in ${OPEN}: ${json.error}`); }
    else {
      const r = readCall(json.value, ['arguments', 'parameters']);
      if (r.call) calls.push(r.call); else { clean = false; errors.push(r.error!); }
    }
    pos = close + CLOSE.length;
  }
  return { calls, clean, errors };
}

function nextNonSpace(s: string, from: number): number {
  let i = from;
  while (i < s.length && /\s/.test(s[i]!)) i++;
  return i;
}

export const hermes: Codec = { name: 'hermes', format, parse };
