// Does an exported graph compute what the engine computes? Runs the ONNX model on onnxruntime-node for one token
// sequence and compares its last-position logits with logits the engine returned for the same ids. Used after
// `tooltune export` (so a user never ships a broken export) and by the parity tests.
import * as ort from 'onnxruntime-node';
import type { ModelFolder } from './model-folder';
import { argmax } from './decode-rules';

export interface ParityResult { maxAbsDiff: number; sameArgmax: boolean; vocab: number }

/** Last-position logits of `ids` (one unpadded sequence, empty past) from the graph at `model.onnxPath`. */
export async function onnxLastLogits(model: ModelFolder, ids: readonly number[]): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(model.onnxPath, { intraOpNumThreads: 1 });
  try {
    const n = ids.length;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, (x) => BigInt(x)), [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(ids, (_, i) => BigInt(i)), [1, n]),
    };
    if (s.inputNames.includes('num_logits_to_keep')) feeds.num_logits_to_keep = new ort.Tensor('int64', BigInt64Array.from([1n]), []);
    for (let i = 0; i < model.numLayers; i++) for (const k of ['key', 'value']) {
      feeds[`past_key_values.${i}.${k}`] = new ort.Tensor('float32', new Float32Array(0), [1, model.numKvHeads, 0, model.headDim]);
    }
    const r = await s.run(feeds);
    const data = r.logits!.data as Float32Array;
    const v = r.logits!.dims[r.logits!.dims.length - 1]!;
    return data.slice(data.length - v);
  } finally {
    await s.release();
  }
}

export function compareLogits(onnx: Float32Array, engine: readonly number[]): ParityResult {
  if (onnx.length !== engine.length) return { maxAbsDiff: Infinity, sameArgmax: false, vocab: onnx.length };
  let m = 0;
  for (let i = 0; i < onnx.length; i++) m = Math.max(m, Math.abs(onnx[i]! - engine[i]!));
  const e = Float32Array.from(engine);
  return { maxAbsDiff: m, sameArgmax: argmax(onnx, 0, onnx.length) === argmax(e, 0, e.length), vocab: onnx.length };
}
