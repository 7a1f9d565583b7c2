// Dataset rows → prompt token ids with the model's own chat template and its `tools` section, and gold answers →
// SFT target ids. Token ids are what crosses to the engine (ARCHITECTURE.md), so generation, GRPO updates and SFT all
// start from exactly these ids.
//
// Qwen3 thinking mode: rendered with `enable_thinking: false`. A tool-calling answer should be the call and nothing
// else (PAPERS.md §1's strict gate), and Qwen3's template then ends the generation prompt with an empty
// `<think>\n\n</think>\n\n` block — the form Qwen3 was trained to answer directly after. Templates that do not know
// the variable ignore it. Callers may override it through `templateVars`.
import type { ChatMessage, DatasetRow } from './types';
import type { AddedToken, Tokenizer } from './tokenizer';

export interface PromptOptions {
  /**
   * Extra system text put before the row's own system message (or as the system message when the row has none):
   * ToolExpander's few-shot demonstrations and the Self-Exemplifying instruction (PAPERS.md §2) are injected here.
   */
  systemPrefix?: string;
  /** Qwen3's thinking switch; default false (see the file comment). */
  enableThinking?: boolean;
  /** More template variables. */
  templateVars?: Record<string, unknown>;
}

/** A rendered prompt: the text (for logs, rollouts and diffs) and its ids (for the engine). */
export interface RenderedPrompt { text: string; ids: number[] }

// End-of-turn tokens by family, in preference order: the token an assistant turn ends with in the template.
const END_OF_TURN = ['<|im_end|>', '<|eot_id|>', '<end_of_turn>', '<|end|>'];

// Only long text pieces are worth caching (the tools block, shared system text); shorter ones are mostly the unique
// user requests, which would only churn the cache.
const MIN_CACHED_SEGMENT = 256;
const MAX_CACHED_SEGMENTS = 512;

/**
 * Renders prompts for one tokenizer. Rendering is Jinja (fast); encoding is where the time goes, and most of a
 * prompt is the tools block, identical for every row with the same tools. So the rendered text is cut at added
 * tokens (`<|im_start|>`, `<|im_end|>`, …) — where the tokenizer itself cuts before BPE, so the pieces encode
 * independently and the ids are exactly those of the whole text — and long pieces are looked up in a cache.
 */
export class PromptRenderer {
  readonly endOfTurnId: number;
  private readonly splitter: RegExp | null;
  private readonly addedIds = new Map<string, number>();
  private readonly segmentCache = new Map<string, number[]>();
  private hits = 0;
  private misses = 0;

  constructor(readonly tokenizer: Tokenizer, readonly defaults: PromptOptions = {}) {
    const eot = END_OF_TURN.map((t) => tokenizer.tokenId(t)).find((id): id is number => id !== null);
    const fallback = tokenizer.eosTokenId;
    if (eot === undefined && fallback === null) {
      throw new Error(`${tokenizer.folder}/tokenizer_config.json: no end-of-turn token (${END_OF_TURN.join(', ')}) ` +
        'and no eos_token. Set "eos_token" in tokenizer_config.json to the token that ends an assistant turn.');
    }
    this.endOfTurnId = eot ?? (fallback as number);
    this.splitter = segmentSplitter(tokenizer.addedTokens);
    for (const t of tokenizer.addedTokens) this.addedIds.set(t.content, t.id);
  }

  /** The messages the template sees: the row's, with the system prefix merged in. */
  messagesFor(row: Pick<DatasetRow, 'messages'>, opts: PromptOptions = {}): ChatMessage[] {
    const prefix = opts.systemPrefix ?? this.defaults.systemPrefix;
    const msgs = row.messages.map((m) => ({ ...m }));
    if (!prefix) return msgs;
    if (msgs[0]?.role === 'system') msgs[0] = { ...msgs[0], content: `${prefix}\n\n${msgs[0].content}` };
    else msgs.unshift({ role: 'system', content: prefix });
    return msgs;
  }

  /** The prompt text: the conversation and tools, ending with the assistant generation prompt. */
  renderText(row: Pick<DatasetRow, 'messages' | 'tools'>, opts: PromptOptions = {}): string {
    const thinking = opts.enableThinking ?? this.defaults.enableThinking ?? false;
    return this.tokenizer.renderChat(this.messagesFor(row, opts), {
      tools: row.tools.length ? row.tools : null,
      addGenerationPrompt: true,
      templateVars: { enable_thinking: thinking, ...this.defaults.templateVars, ...opts.templateVars },
    });
  }

  /** Token ids that end a completion: the end-of-turn token and the tokenizer's stop tokens (generate's stop list). */
  get stopIds(): number[] {
    return [...new Set([this.endOfTurnId, ...this.tokenizer.stopTokenIds])];
  }

  /** A completion's ids as text, without the stop token that ended it. */
  decodeCompletion(ids: readonly number[]): string {
    const stop = this.stopIds;
    return this.tokenizer.decode(ids.length && stop.includes(ids[ids.length - 1]) ? ids.slice(0, -1) : [...ids]);
  }

  /** Prompt text and ids for a row. */
  render(row: Pick<DatasetRow, 'messages' | 'tools'>, opts: PromptOptions = {}): RenderedPrompt {
    const text = this.renderText(row, opts);
    return { text, ids: this.encode(text) };
  }

  /** Prompt ids for a row. */
  promptIds(row: Pick<DatasetRow, 'messages' | 'tools'>, opts: PromptOptions = {}): number[] {
    return this.render(row, opts).ids;
  }

  /**
   * SFT target ids: the gold answer text (a codec's `format(expected)`) followed by the end-of-turn token, so the
   * model learns to stop. These follow the prompt ids directly, exactly as sampled completions do.
   */
  sftTargetIds(answerText: string): number[] {
    return [...this.encode(answerText), this.endOfTurnId];
  }

  /** Encode text with the segment cache (identical ids to `tokenizer.encode(text)`). */
  encode(text: string): number[] {
    if (!this.splitter) return this.tokenizer.encode(text);
    const out: number[] = [];
    for (const piece of text.split(this.splitter)) {
      if (!piece) continue;
      const added = this.addedIds.get(piece);
      if (added !== undefined) { out.push(added); continue; }
      if (piece.length < MIN_CACHED_SEGMENT) { pushAll(out, this.tokenizer.encode(piece)); continue; }
      let ids = this.segmentCache.get(piece);
      if (ids) this.hits++;
      else {
        this.misses++;
        ids = this.tokenizer.encode(piece);
        if (this.segmentCache.size >= MAX_CACHED_SEGMENTS) {
          // Drop the oldest entry (Map keeps insertion order): a simple FIFO bound on memory.
          this.segmentCache.delete(this.segmentCache.keys().next().value as string);
        }
        this.segmentCache.set(piece, ids);
      }
      pushAll(out, ids);
    }
    return out;
  }

  /** Cache statistics, for benchmarks and tests. */
  cacheStats(): { hits: number; misses: number; size: number } {
    return { hits: this.hits, misses: this.misses, size: this.segmentCache.size };
  }
}

function pushAll(out: number[], ids: readonly number[]): void {
  for (const id of ids) out.push(id);
}

/**
 * A regex that splits text around added tokens, keeping them (capture group). Null when an added token strips
 * neighbouring whitespace or must be a single word: then the tokenizer's own split is not a plain cut and the
 * cache would change ids, so it is not used.
 */
function segmentSplitter(added: readonly AddedToken[]): RegExp | null {
  if (!added.length) return null;
  if (added.some((t) => t.lstrip || t.rstrip || t.single_word || t.normalized)) return null;
  // Longest first, so a token that is a prefix of another never wins (leftmost-longest, as the tokenizer matches).
  const alts = [...added].map((t) => t.content).sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(${alts.join('|')})`);
}

export const _private = { segmentSplitter, END_OF_TURN };
