// Which workspace files to offer in the Train quick picks. Tools files are found by content, not by name: a JSON
// file is offered when it holds one of the accepted tools shapes (ARCHITECTURE.md "Tools file"). Pure: the caller
// reads the files; tests pass text.

/** Cheap content test used to rank files; the real validation (with located diagnostics) is core/tools.ts. */
export function looksLikeTools(text: string): { ok: boolean; count: number } {
  let v: unknown;
  try { v = JSON.parse(text); } catch { return { ok: false, count: 0 }; }
  const obj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const isTool = (t: unknown) => obj(t) && (
    (obj(t.function) && typeof t.function.name === 'string') ||
    (typeof t.name === 'string' && (obj(t.parameters) || obj(t.inputSchema))));
  let list: unknown = v;
  if (obj(v) && Array.isArray(v.tools)) list = v.tools;
  else if (obj(v) && obj(v.result) && Array.isArray(v.result.tools)) list = v.result.tools;
  else if (isTool(v)) return { ok: true, count: 1 };
  if (!Array.isArray(list) || list.length === 0) return { ok: false, count: 0 };
  const good = list.filter(isTool).length;
  return { ok: good === list.length, count: good };
}

/** A JSONL file is offered as a dataset when its first non-empty line is an object in a known row shape
 *  (ToolTune rows, OpenAI chat fine-tuning rows, xLAM rows, ShareGPT rows). */
export function looksLikeDataset(firstLines: string): boolean {
  const line = firstLines.split('\n').find((l) => l.trim());
  if (!line) return false;
  try {
    const row = JSON.parse(line) as Record<string, unknown>;
    return typeof row === 'object' && row !== null && ('messages' in row || 'query' in row || 'conversations' in row || 'expected' in row);
  } catch { return false; }
}

/** A folder is a local Hugging Face model when it has config.json and safetensors weights. */
export function looksLikeModelFolder(files: string[]): boolean {
  return files.includes('config.json') && files.some((f) => f.endsWith('.safetensors') || f === 'model.safetensors.index.json');
}

/** `org/name` as the Hub spells ids (letters, digits, - _ .), optionally with a revision after @. */
export function isHubId(s: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+(@[\w./-]+)?$/.test(s.trim());
}

/** "Split off N%": a number in (0, 50]. Returns undefined for anything else. */
export function parseSplitPercent(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 && n <= 50 ? n : undefined;
}

export const _private = {};
