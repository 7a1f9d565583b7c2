// The pretraining probe: greedy answers on held-out generated rows (domains never trained on), scored by core's own
// matcher, plus the two skills LEARNING.md says decide everything and that form first or not at all:
//   copy_rate  share of the expected string values (names, codes, dates, free text) the answer writes verbatim;
//   name_rate  share of call rows whose answer names every expected tool (copied from the tool list).
import { formatOk, isCorrect } from '../../core/rewards';
import type { PromptRenderer } from '../../core/prompt';
import type { Codec, DatasetRow, Json } from '../../core/types';
import type { EngineClient } from '../../engine/client';

export interface ProbeResult {
  n: number;
  accuracy: number;
  call_accuracy: number;
  no_call_accuracy: number;
  format_valid: number;
  copy_rate: number;
  name_rate: number;
}

/** String leaves of the expected arguments (what has to be copied from the request). */
export function stringValues(v: Json): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringValues);
  if (v && typeof v === 'object') return Object.values(v).flatMap(stringValues);
  return [];
}

/** Score greedy answers (pure; the engine part is `probe`). */
export function scoreProbe(rows: readonly DatasetRow[], texts: readonly string[], codec: Codec): ProbeResult {
  let exact = 0; let callN = 0; let callExact = 0; let noCallN = 0; let noCallExact = 0; let format = 0;
  let values = 0; let copied = 0; let named = 0;
  rows.forEach((row, i) => {
    const text = texts[i];
    const parsed = codec.parse(text);
    const ok = isCorrect(parsed, row.expected);
    if (ok) exact++;
    if (formatOk(parsed)) format++;
    if (row.expected.length) {
      callN++;
      if (ok) callExact++;
      const names = new Set(parsed.calls.map((c) => c.name));
      if (row.expected.every((c) => names.has(c.name))) named++;
      for (const c of row.expected) {
        for (const s of Object.values(c.arguments).flatMap(stringValues)) {
          values++;
          if (text.includes(JSON.stringify(s).slice(1, -1))) copied++;
        }
      }
    } else {
      noCallN++;
      if (ok) noCallExact++;
    }
  });
  const frac = (a: number, b: number) => (b ? a / b : 0);
  return {
    n: rows.length, accuracy: frac(exact, rows.length), call_accuracy: frac(callExact, callN), no_call_accuracy: frac(noCallExact, noCallN),
    format_valid: frac(format, rows.length), copy_rate: frac(copied, values), name_rate: frac(named, callN),
  };
}

/** Greedy answers from the engine's current weights, scored. */
export async function probe(engine: EngineClient, renderer: PromptRenderer, codec: Codec, rows: readonly DatasetRow[], maxNewTokens = 160): Promise<ProbeResult> {
  const texts: string[] = [];
  for (let i = 0; i < rows.length; i += 32) {
    const batch = rows.slice(i, i + 32);
    const g = await engine.request('generate', { prompts: batch.map((r) => renderer.promptIds(r)), n: 1, max_new_tokens: maxNewTokens, temperature: 0, stop_token_ids: renderer.stopIds });
    for (const c of g.completions) texts.push(renderer.decodeCompletion(c.ids));
  }
  return scoreProbe(rows, texts, codec);
}
