// Few-shot demonstrations for ToolExpander's hard rows (arXiv 2510.07737, PAPERS.md §2): worked examples built from
// OTHER rows' gold calls, preferring rows that call the same tools (and, after that, rows of the same kind: single,
// parallel or no call), written in the run's own codec so the demonstration shows exactly the text to produce.
// The text goes into the system prompt (PromptRenderer's `systemPrefix`).
import type { Codec, DatasetRow } from '../core/types';
import type { Rng } from './rng';

export const FEW_SHOT_HEADER = 'Here are worked examples of requests and their correct answers:';

/** The last user message of a row: what a demonstration shows as the request. */
export function requestText(row: Pick<DatasetRow, 'messages'>): string {
  for (let i = row.messages.length - 1; i >= 0; i--) if (row.messages[i].role === 'user') return row.messages[i].content;
  return '';
}

function category(row: DatasetRow): number { return Math.min(row.expected.length, 2); }

/** Pick `k` other rows for `row`: most shared tool names first, then same category; ties broken by the rng. */
export function pickDemonstrations(row: DatasetRow, pool: readonly DatasetRow[], k: number, rng: Rng): DatasetRow[] {
  const names = new Set(row.expected.map((c) => c.name));
  const scored = rng.shuffle(pool.filter((r) => r.id !== row.id && requestText(r) !== requestText(row)))
    .map((r) => {
      let shared = 0;
      for (const n of new Set(r.expected.map((c) => c.name))) if (names.has(n)) shared++;
      return { r, score: shared * 2 + (category(r) === category(row) ? 1 : 0) };
    });
  // Stable sort keeps the shuffled order among equal scores.
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, k).map((s) => s.r);
}

/** The system-prompt text for a set of demonstrations. */
export function formatDemonstrations(demos: readonly DatasetRow[], codec: Codec): string {
  const blocks = demos.map((d, i) => `Example ${i + 1}\nRequest: ${requestText(d)}\nAnswer:\n${codec.format(d.expected)}`);
  return [FEW_SHOT_HEADER, ...blocks].join('\n\n');
}
