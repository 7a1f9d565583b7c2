// Paper 1's strict pure-JSON calls (arXiv 2509.04518; PAPERS.md §1): the whole output is one JSON value, a call
// object `{"name": …, "arguments": {…}}` or an array of them, and nothing else. format([]) is `[]` (no calls is
// still pure JSON, so the strict gate applies to no-call answers as well). Markdown fences, prose or anything
// around the JSON make the output unclean (reward 0 under slm-paper).
import type { Codec, ParseResult, ToolCall } from '../types';
import { callJson, readJsonCalls } from './json-calls';

function format(calls: readonly ToolCall[]): string {
  if (calls.length === 1) return callJson(calls[0]!);
  return '[' + calls.map((c) => callJson(c)).join(', ') + ']';
}

function parse(text: string): ParseResult {
  return readJsonCalls(text, ['arguments']);
}

export const json: Codec = { name: 'json', format, parse };
