// A trimmed copy of a byte-level BPE tokenizer (Qwen3's) for the demo model only: it keeps the 256 byte tokens, every
// added/special token, and the tokens the domain's text actually uses together with the merges that build them,
// renumbered densely. LEARNING.md: with the full 151,936-row head a 20M model spends most of each CPU step in the
// head; a few thousand rows leave the time to the body. Real user models keep their full tokenizer.
//
// Why encoding stays exact on the domain text: BPE applies, at each step, the lowest-ranked merge among the adjacent
// pairs. Every merge the full tokenizer applies to a domain word builds a token we keep (an ancestor of a kept token),
// and we keep all merges whose inputs and output are kept, in their original order. So at each step the full run's
// choice is still present and still the lowest-ranked applicable one: the trimmed run makes the same choices and
// yields the same pieces. Any other text still encodes (byte tokens are always there, and every kept merge's output
// is in the vocabulary), only in smaller pieces. Written by hand because no tokenizer library offers vocabulary
// trimming of a BPE model with its merges.
import type { Tokenizer } from '../../core/tokenizer';

export interface TrimOptions {
  /**
   * Also keep the ids below this in the original vocabulary (byte-level BPE vocabularies are ordered by merge rank,
   * so low ids are the most frequent pieces of the pre-training text). A margin for text outside the domain.
   */
  keepTopIds?: number;
  /** Pad the vocabulary (with unused placeholder rows in the model, not tokens) to a multiple of this: 64 suits matmuls. */
  padToMultipleOf?: number;
}

export interface TrimResult {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** Tokens in the trimmed vocabulary, added tokens included. */
  vocabSize: number;
  /** `vocabSize` rounded up to `padToMultipleOf`: the model's `vocab_size`. */
  modelVocabSize: number;
  /** How many base tokens the domain text used directly, and how many the merge closure added. */
  usedTokens: number;
  closureTokens: number;
  merges: number;
  /** Original id → trimmed id. */
  idMap: Map<number, number>;
}

type Merge = [string, string];

function parseMerges(raw: unknown[]): Merge[] {
  return raw.map((m) => {
    if (Array.isArray(m)) return [String(m[0]), String(m[1])] as Merge;
    const s = String(m);
    const i = s.indexOf(' ', 1); // older files: "a b" strings (a token never starts with a space in byte-level BPE)
    return [s.slice(0, i), s.slice(i + 1)] as Merge;
  });
}

/** The 256 characters byte-level BPE uses for the bytes 0–255 (GPT-2's printable remapping). */
export function byteLevelAlphabet(): string[] {
  const direct: number[] = [];
  for (let b = 33; b <= 126; b++) direct.push(b);
  for (let b = 161; b <= 172; b++) direct.push(b);
  for (let b = 174; b <= 255; b++) direct.push(b);
  const out = new Array<string>(256);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    if (direct.includes(b)) out[b] = String.fromCharCode(b);
    else out[b] = String.fromCharCode(256 + next++);
  }
  return out;
}

/**
 * Trim `source` (a loaded full tokenizer) to the tokens that `texts` use. `texts` are whole rendered prompts and gold
 * answers; they are encoded with the full tokenizer here. Throws when the tokenizer is not byte-level BPE.
 */
export function trimVocabulary(source: Tokenizer, sourceJson: Record<string, unknown>, sourceConfig: Record<string, unknown>,
  texts: Iterable<string>, opts: TrimOptions = {}): TrimResult {
  const model = sourceJson.model as { type?: string; vocab: Record<string, number>; merges: unknown[]; [k: string]: unknown };
  if (!model || model.type !== 'BPE' || !model.vocab || !Array.isArray(model.merges)) {
    throw new Error(`${source.folder}/tokenizer.json: vocabulary trimming needs a byte-level BPE tokenizer (model.type "BPE" ` +
      'with vocab and merges). Use the Qwen3 tokenizer for the demo model.');
  }
  const idToToken = new Map<number, string>();
  for (const [tok, id] of Object.entries(model.vocab)) idToToken.set(id, tok);
  const added = source.addedTokens;
  const addedIds = new Set(added.map((t) => t.id));

  // ---- tokens the text uses (added tokens are handled separately: always kept)
  const keep = new Set<string>();
  for (const ch of byteLevelAlphabet()) {
    if (!(ch in model.vocab)) {
      throw new Error(`${source.folder}/tokenizer.json: byte token ${JSON.stringify(ch)} is missing, so this is not a byte-level BPE ` +
        'vocabulary and trimming could make text unencodable.');
    }
    keep.add(ch);
  }
  for (const text of texts) {
    for (const id of source.encode(text)) {
      if (addedIds.has(id)) continue;
      const t = idToToken.get(id);
      if (t !== undefined) keep.add(t);
    }
  }
  const topIds = opts.keepTopIds ?? 0;
  for (let id = 0; id < topIds; id++) {
    const t = idToToken.get(id);
    if (t !== undefined) keep.add(t);
  }
  const usedTokens = keep.size;

  // ---- closure: every merge that can build a kept token contributes its two parts
  const merges = parseMerges(model.merges);
  const producers = new Map<string, Merge[]>();
  for (const m of merges) {
    const r = m[0] + m[1];
    const list = producers.get(r);
    if (list) list.push(m); else producers.set(r, [m]);
  }
  const stack = [...keep];
  while (stack.length) {
    const t = stack.pop() as string;
    for (const [a, b] of producers.get(t) ?? []) {
      for (const part of [a, b]) if (!keep.has(part) && part in model.vocab) { keep.add(part); stack.push(part); }
    }
  }
  const keptMerges = merges.filter(([a, b]) => keep.has(a) && keep.has(b) && keep.has(a + b));

  // ---- renumber densely: base tokens in original order, then the added tokens in theirs
  const idMap = new Map<number, number>();
  const vocab: Record<string, number> = {};
  const baseIds = [...keep].map((t) => model.vocab[t]).sort((x, y) => x - y);
  for (const old of baseIds) { idMap.set(old, idMap.size); vocab[idToToken.get(old) as string] = idMap.get(old) as number; }
  const addedSorted = [...added].sort((x, y) => x.id - y.id);
  for (const t of addedSorted) idMap.set(t.id, idMap.size);
  const vocabSize = idMap.size;

  const tokenizerJson: Record<string, unknown> = {
    ...sourceJson,
    added_tokens: (sourceJson.added_tokens as { id: number }[]).map((t) => ({ ...t, id: idMap.get(t.id) })),
    post_processor: remapPostProcessor(sourceJson.post_processor, idMap),
    model: { ...model, vocab, merges: keptMerges.map(([a, b]) => [a, b]) },
  };
  const decoderMap = sourceConfig.added_tokens_decoder as Record<string, unknown> | undefined;
  const tokenizerConfig: Record<string, unknown> = { ...sourceConfig };
  if (decoderMap) {
    const remapped: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(decoderMap)) {
      const nid = idMap.get(Number(k));
      if (nid !== undefined) remapped[String(nid)] = v;
    }
    tokenizerConfig.added_tokens_decoder = remapped;
  }
  const mult = opts.padToMultipleOf ?? 1;
  return {
    tokenizerJson, tokenizerConfig, vocabSize,
    modelVocabSize: Math.ceil(vocabSize / mult) * mult,
    usedTokens, closureTokens: keep.size - usedTokens, merges: keptMerges.length, idMap,
  };
}

/** TemplateProcessing post-processors name special-token ids; byte-level ones (Qwen's) carry none. */
function remapPostProcessor(pp: unknown, idMap: Map<number, number>): unknown {
  if (!pp || typeof pp !== 'object') return pp;
  const clone = JSON.parse(JSON.stringify(pp)) as Record<string, unknown>;
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach(visit); return; }
    const rec = node as Record<string, unknown>;
    if (rec.special_tokens && typeof rec.special_tokens === 'object') {
      for (const st of Object.values(rec.special_tokens as Record<string, { ids?: number[] }>)) {
        if (Array.isArray(st.ids)) st.ids = st.ids.map((id) => idMap.get(id) ?? id);
      }
    }
    for (const v of Object.values(rec)) visit(v);
  };
  visit(clone);
  return clone;
}
