// Messages between the inference service (the calling thread: extension host or CLI) and its worker thread
// (src/infer/worker.ts, bundled to dist/inferWorker.js). Plain structured-clone data only.
import type { ChatMessage, CodecName, ToolCall, ToolDef } from '../core/types';
import type { OnnxVariant } from './model-folder';
import type { DecoderBackend } from './onnx-decoder';

export interface CompletionRequest {
  /** An exported model folder: config.json, tokenizer files, onnx/model.onnx. */
  modelDir: string;
  messages: ChatMessage[];
  /** Tools rendered into the prompt by the model's chat template. */
  tools: ToolDef[];
  /** Default 'ort' (the faster loop); 'transformers' runs transformers.js's generate(). */
  backend?: DecoderBackend;
  variant?: OnnxVariant;
  /** Default 128: a few tool calls. */
  maxNewTokens?: number;
  /** Codec that parses the output; default: config.json's tooltune.codec, else the family's codec. */
  codec?: CodecName;
  /** 'turn' (default): stop at end of turn. 'call': stop as soon as one complete call has been written. */
  stopAt?: 'turn' | 'call';
  /** Pre-rendered prompt ids (benchmarks, parity tests): skips the chat template. */
  promptIds?: number[];
  /** Intra-op threads for a newly loaded model (default 1). */
  threads?: number;
}

/** What picks (and loads) a model: a load request warms the worker's one cached model ahead of the first completion. */
export type LoadRequest = Pick<CompletionRequest, 'modelDir' | 'backend' | 'variant' | 'threads'>;

export interface CompletionResult {
  /** The generated text (special tokens kept, as training decodes it), the end-of-turn token excluded. */
  text: string;
  calls: ToolCall[];
  /** The codec's verdict: nothing but calls was written (PAPERS.md §1's gate). */
  clean: boolean;
  parseErrors: string[];
  ids: number[];
  finishReason: 'stop' | 'length' | 'cancelled';
  promptTokens: number;
  backend: DecoderBackend;
  codec: CodecName;
  timings: {
    /** ms spent loading the model for this request (0 when it was cached). */
    loadMs: number;
    /** chat template + tokenisation */
    promptMs: number;
    firstTokenMs: number;
    /** generation only (prefill + decode) */
    generateMs: number;
  };
}

export type ToWorker =
  | { type: 'complete'; id: number; request: CompletionRequest }
  | { type: 'load'; id: number; request: LoadRequest }
  | { type: 'cancel'; id: number }
  | { type: 'unload' };

export type FromWorker =
  | { type: 'result'; id: number; result: CompletionResult }
  | { type: 'loaded'; id: number; loadMs: number }
  | { type: 'error'; id: number; message: string; name: string }
  | { type: 'log'; message: string };
