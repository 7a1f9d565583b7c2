// The no-call answer of the chat-style codecs (hermes, llama3-json, pythonic): these models answer a request no
// tool fits with ordinary text, so `format([])` is one fixed short sentence (a stable SFT target) and any
// non-empty text without call syntax parses as a clean no-call answer.
import type { ParseResult } from '../types';

export const NO_CALL_REPLY = 'None of the available tools can do that, so I will not call one.';

/** A text with no calls in it: clean when it is non-empty and does not look like a broken call. */
export function readPlainReply(text: string, looksLikeCall: (t: string) => string | undefined): ParseResult {
  const t = text.trim();
  if (t === '') return { calls: [], clean: false, errors: ['empty output'] };
  const broken = looksLikeCall(t);
  if (broken) return { calls: [], clean: false, errors: [broken] };
  return { calls: [], clean: true, errors: [] };
}
