// xLAM tool calls (Salesforce xLAM; PAPERS.md §5): `{"tool_calls": [{"name": …, "arguments": {…}}]}`; a bare JSON
// list of call objects (xLAM-2) is read too. format([]) is `{"tool_calls": []}`: xLAM's explicit no-call answer.
// The output must be that JSON and nothing else; plain text is not clean.
import type { Codec, ParseResult, ToolCall } from '../types';
import { pyJson, readJsonCalls } from './json-calls';

function format(calls: readonly ToolCall[]): string {
  return `{"tool_calls": [${calls.map((c) => `{"name": ${JSON.stringify(c.name)}, "arguments": ${pyJson(c.arguments)}}`).join(', ')}]}`;
}

function parse(text: string): ParseResult {
  const r = readJsonCalls(text, ['arguments', 'parameters'], 'tool_calls');
  return { calls: r.calls, clean: r.clean, errors: r.errors };
}

export const xlam: Codec = { name: 'xlam', format, parse };
