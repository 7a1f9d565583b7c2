// Greedy decoding on onnxruntime-node with our own KV-cache loop: the fast path. ARCHITECTURE.md measured a raw
// onnxruntime-node loop at 175–268 tokens/s on the 20M model against 53–215 for transformers.js's generate(), whose
// per-step overhead (logits processors, tensor wrappers, a full-vocab softmax) dominates at this size. The graph is
// the one onnx_export.py writes: inputs input_ids, attention_mask, position_ids, num_logits_to_keep (0-d),
// past_key_values.{i}.key/value; outputs logits, present.{i}.key/value.
import * as ort from 'onnxruntime-node';
import { argmax } from './decode-rules';
import type { ModelFolder } from './model-folder';

export interface DecodeOptions {
  maxNewTokens: number;
  /** Generation ends (finish "stop") after one of these ids; the id is not included in the result. */
  stopIds: readonly number[];
  /** Checked between steps: true ends the loop with finish "cancelled". */
  isCancelled?: () => boolean;
  /** Called with the ids so far after each token; true ends generation (finish "stop"), e.g. at a codec's end-of-call. */
  stopWhen?: (ids: readonly number[]) => boolean;
}

export interface DecodeResult {
  ids: number[];
  finishReason: 'stop' | 'length' | 'cancelled';
  promptTokens: number;
  /** ms from the call to the first generated token (prefill + one head). */
  firstTokenMs: number;
  totalMs: number;
}

/** One loaded model that turns prompt ids into greedy completion ids. Both backends implement it. */
export interface Decoder {
  readonly backend: DecoderBackend;
  generate(promptIds: readonly number[], opts: DecodeOptions): Promise<DecodeResult>;
  dispose(): Promise<void>;
}
export type DecoderBackend = 'ort' | 'transformers';

export interface OrtDecoderOptions {
  /** Intra-op threads. Default 1: on a loaded 2-core machine 1 thread beat 2 (ARCHITECTURE.md, measured). */
  threads?: number;
}

export class OrtDecoder implements Decoder {
  readonly backend = 'ort' as const;
  private constructor(private readonly session: ort.InferenceSession, private readonly model: ModelFolder) {}

  static async load(model: ModelFolder, opts: OrtDecoderOptions = {}): Promise<OrtDecoder> {
    const session = await ort.InferenceSession.create(model.onnxPath, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
    });
    const need = ['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key'];
    const missing = need.filter((n) => !session.inputNames.includes(n));
    if (missing.length) {
      await session.release();
      throw new Error(`${model.onnxPath}: the graph has no input ${missing.join(', ')}; it was not written by ` +
        '`tooltune export`. Re-export the model with `tooltune export --model <folder>`.');
    }
    return new OrtDecoder(session, model);
  }

  async generate(promptIds: readonly number[], opts: DecodeOptions): Promise<DecodeResult> {
    const t0 = performance.now();
    const { numLayers, numKvHeads, headDim } = this.model;
    const stop = new Set(opts.stopIds);
    const hasKeep = this.session.inputNames.includes('num_logits_to_keep');
    const keep = new ort.Tensor('int64', BigInt64Array.from([1n]), []);
    let past: Record<string, ort.Tensor> = {};
    for (let i = 0; i < numLayers; i++) {
      // An empty past (length 0) on the first step: the exported graph concatenates it with the new keys.
      past[`past_key_values.${i}.key`] = new ort.Tensor('float32', new Float32Array(0), [1, numKvHeads, 0, headDim]);
      past[`past_key_values.${i}.value`] = new ort.Tensor('float32', new Float32Array(0), [1, numKvHeads, 0, headDim]);
    }
    const out: number[] = [];
    let step = Array.from(promptIds);
    let pos = 0;
    let firstTokenMs = 0;
    let finishReason: DecodeResult['finishReason'] = 'length';
    if (!step.length) throw new Error('generate: the prompt is empty');
    while (out.length < opts.maxNewTokens) {
      if (opts.isCancelled?.()) { finishReason = 'cancelled'; break; }
      const total = pos + step.length;
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(step, (x) => BigInt(x)), [1, step.length]),
        // Single unpadded sequence: the mask is all ones and positions count up (= cumsum(mask) - 1).
        attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
        position_ids: new ort.Tensor('int64', BigInt64Array.from(step, (_, j) => BigInt(pos + j)), [1, step.length]),
        ...past,
      };
      if (hasKeep) feeds.num_logits_to_keep = keep;
      const res = await this.session.run(feeds);
      const logits = res.logits!;
      const dims = logits.dims;
      const vocab = dims[dims.length - 1]!;
      const data = logits.data as Float32Array;
      const next = argmax(data, data.length - vocab, vocab);
      const nextPast: Record<string, ort.Tensor> = {};
      for (let i = 0; i < numLayers; i++) {
        nextPast[`past_key_values.${i}.key`] = res[`present.${i}.key`]!;
        nextPast[`past_key_values.${i}.value`] = res[`present.${i}.value`]!;
      }
      for (const t of Object.values(past)) t.dispose();
      logits.dispose();
      past = nextPast;
      pos = total;
      if (!out.length && !firstTokenMs) firstTokenMs = performance.now() - t0;
      if (stop.has(next)) { finishReason = 'stop'; break; }
      out.push(next);
      if (opts.stopWhen?.(out)) { finishReason = 'stop'; break; }
      step = [next];
    }
    for (const t of Object.values(past)) t.dispose();
    return { ids: out, finishReason, promptTokens: promptIds.length, firstTokenMs, totalMs: performance.now() - t0 };
  }

  async dispose(): Promise<void> { await this.session.release(); }
}
