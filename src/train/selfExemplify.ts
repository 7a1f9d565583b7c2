// Self-Exemplifying Thinking (ToolExpander, arXiv 2510.07737, PAPERS.md §2): the prompt invites the model to write
// one example of its own — a similar request and the call that answers it — and to check it, before it answers.
// A valid example earns a tiny bonus (+0.01 by default); the answer itself is scored as usual on the text after the
// example block, so the strict JSON gate of the slm-paper reward is not broken by the example.
//
// The paper describes the idea but not a text format; ToolTune's format, exactly:
//
//   <example>
//   request: <a user request, one line, non-empty>
//   call: <the codec's own call text for that request, e.g. {"name": "get_weather", "arguments": {"city": "Rome"}}>
//   check: <one line analysing why the call fits the request, non-empty>
//   </example>
//   <the real answer: tool calls in the codec's format, or a plain reply for no call>
//
// The example is VALID when all of these hold:
//   1. the completion starts with `<example>` (leading whitespace allowed) and has one closing `</example>`;
//   2. `request:`, `call:` and `check:` lines appear in that order, each with non-empty text;
//   3. the `call:` text parses with the run's codec to exactly one call, cleanly;
//   4. that call names a tool offered to the row, and its arguments validate against the tool's JSON Schema;
//   5. the example is not a copy of the real request (an example of *another* request is what the paper asks for).
// Anything else — no block, an unclosed block, a call that does not parse or names an unknown tool — earns 0.
import { compileSchema } from '../core/schema';
import { findTool } from '../core/tools';
import type { Codec, ToolDef } from '../core/types';

/** The instruction added to the system prompt when self_exemplify is on. */
export const SELF_EXEMPLIFY_INSTRUCTION = [
  'Before answering, you may write one example of your own inside <example></example>: a different request',
  'that uses the same tools ("request: ..."), the call that answers it ("call: ..."), and one line checking that the',
  'call fits the request ("check: ..."). Then give your answer.',
].join(' ');

export interface SelfExampleSplit {
  /** The text inside <example>…</example>, or null when the completion has no (closed) example block. */
  example: string | null;
  /** The answer: the completion without the leading example block (the whole completion when there is none). */
  answer: string;
}

const OPEN = '<example>';
const CLOSE = '</example>';

/** Split a completion into its leading example block and the answer after it. */
export function splitSelfExample(completion: string): SelfExampleSplit {
  const trimmed = completion.replace(/^\s+/, '');
  if (!trimmed.startsWith(OPEN)) return { example: null, answer: completion };
  const end = trimmed.indexOf(CLOSE, OPEN.length);
  if (end < 0) return { example: null, answer: completion };
  return { example: trimmed.slice(OPEN.length, end), answer: trimmed.slice(end + CLOSE.length).replace(/^\s+/, '') };
}

export interface SelfExampleVerdict { valid: boolean; reason: string }

/** Rule 2–5 of the file comment, on the inside of an example block. */
export function checkSelfExample(example: string, codec: Codec, tools: readonly ToolDef[], realRequest: string): SelfExampleVerdict {
  const fields = /^\s*request:\s*(.+?)\s*\n\s*call:\s*([\s\S]+?)\s*\n\s*check:\s*(.+?)\s*$/.exec(example);
  if (!fields) return { valid: false, reason: 'needs "request:", "call:" and "check:" lines in that order' };
  const [, request, callText, check] = fields;
  if (!request.trim() || !check.trim()) return { valid: false, reason: 'empty request or check' };
  if (request.trim().toLowerCase() === realRequest.trim().toLowerCase()) return { valid: false, reason: 'the example repeats the real request' };
  const parsed = codec.parse(callText);
  if (!parsed.clean || parsed.calls.length !== 1) return { valid: false, reason: `the call does not parse as one ${codec.name} call` };
  const call = parsed.calls[0];
  const tool = findTool(tools, call.name);
  if (!tool) return { valid: false, reason: `unknown tool "${call.name}"` };
  const schema = compileSchema(tool.function.parameters ?? { type: 'object' });
  if (!schema.ok) return { valid: false, reason: `the tool's schema does not compile: ${schema.error}` };
  if (!schema.validate(call.arguments)) return { valid: false, reason: 'the arguments do not match the tool schema' };
  return { valid: true, reason: 'ok' };
}

/** The bonus a completion earns: `bonus` when it opens with a valid example, else 0. */
export function selfExampleBonus(completion: string, codec: Codec, tools: readonly ToolDef[], realRequest: string, bonus: number): number {
  const { example } = splitSelfExample(completion);
  if (example === null) return 0;
  return checkSelfExample(example, codec, tools, realRequest).valid ? bonus : 0;
}
