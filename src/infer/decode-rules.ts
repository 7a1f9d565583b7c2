// The greedy loop's two rules, kept free of onnxruntime so they are cheap to test: which token is picked (argmax),
// and when a tool call is complete (the codec parses the text so far as clean calls — its end of call).
import type { Codec } from '../core/types';

/** Index of the largest value in `data[offset, offset + n)` (the first one on ties). */
export function argmax(data: Float32Array, offset: number, n: number): number {
  let best = 0;
  let bestVal = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = data[offset + i]!;
    if (v > bestVal) { bestVal = v; best = i; }
  }
  return best;
}

/** True when the text so far holds at least one call and nothing unfinished after it (the codec parses it clean). */
export function endsWithCompleteCall(codec: Codec, text: string): boolean {
  const t = text.trimEnd();
  // Only worth parsing when the text could have just closed a call (a JSON brace/bracket, a tag, or a paren).
  if (!/[}\]>)]$/.test(t)) return false;
  const p = codec.parse(t);
  return p.calls.length > 0 && p.clean;
}
