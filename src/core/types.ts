// Shared data types of the pure core. Every other layer (engine client, trainer, CLI, extension, webview host)
// speaks in these; nothing here imports vscode or spawns anything.

/** A JSON value as parsed from untrusted text. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One tool, normalised to the OpenAI function-tool shape. `parameters` is a JSON Schema object. */
export interface ToolDef {
  type: 'function';
  function: { name: string; description?: string; parameters: JsonSchemaObject };
}
export interface JsonSchemaObject {
  type?: 'object';
  properties?: Record<string, unknown>;
  required?: string[];
  [k: string]: unknown;
}

/** A call as a model wrote it (after a codec parsed it) or as a dataset expects it. */
export interface ToolCall { name: string; arguments: Record<string, Json> }

/** An expected call in a dataset row (ARCHITECTURE.md "Dataset row"). */
export interface ExpectedCall extends ToolCall {
  /** accept[p]: every acceptable value of parameter p (the `arguments` value is always acceptable too). */
  accept?: Record<string, Json[]>;
  /** parameters that may be left out. */
  optional?: string[];
}

export interface ChatMessage { role: 'system' | 'user' | 'assistant' | 'tool'; content: string; tool_calls?: unknown; name?: string }

/** One validated dataset row. `expected: []` means the right answer is no call. */
export interface DatasetRow {
  id: string;
  messages: ChatMessage[];
  /** Per-row tools; when absent the tools file applies. Always filled in after loading. */
  tools: ToolDef[];
  expected: ExpectedCall[];
  /** 1-based line in the source file, for diagnostics. */
  line?: number;
}

/** single = one expected call, parallel = two or more, no_call = expected []. */
export type RowCategory = 'single' | 'parallel' | 'no_call';

/** A problem found in user input, always located (ARCHITECTURE: errors name file, line and field, and the fix). */
export interface Diagnostic {
  file: string;
  line: number;      // 1-based
  column: number;    // 1-based
  endLine?: number;
  endColumn?: number;
  severity: 'error' | 'warning';
  message: string;
  /** JSON pointer to the field, e.g. "/0/function/parameters/properties/unit". */
  pointer?: string;
  /** How to fix it, one sentence. */
  hint?: string;
}

/** What a codec's parser returns. It never throws. */
export interface ParseResult {
  calls: ToolCall[];
  /** false when anything but the calls was written (paper 1's strict gate), or the text was empty. */
  clean: boolean;
  /** Human-readable parse problems; empty when everything parsed. */
  errors: string[];
}

/** A model family's tool-call text format (PAPERS.md §5). */
export interface Codec {
  readonly name: CodecName;
  /** The SFT target / gold text for these calls. `[]` formats a no-call answer. */
  format(calls: ToolCall[]): string;
  parse(text: string): ParseResult;
}
export type CodecName = 'hermes' | 'llama3-json' | 'pythonic' | 'xlam' | 'json';

export type MatchMode = 'exact' | 'bfcl';

/** A reward's value and its named parts (each part is logged as `rewards/<name>/mean`). */
export interface RewardResult {
  reward: number;
  parts: Record<string, number>;
  /** true when the answer was fully right (clean format, exact multiset match); ToolExpander's hard-row tracking
   *  and pass@k count these. Always set by src/core/rewards.ts. */
  correct?: boolean;
}
export type RewardName = 'slm-paper' | 'toolrl' | 'binary';
