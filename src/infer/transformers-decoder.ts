// Greedy decoding through transformers.js (`AutoModelForCausalLM.generate`) on onnxruntime-node: the reference
// path, the one the issue names. It loads the same exported folder; `OrtDecoder` is the faster loop behind the same
// `Decoder` interface (see bench-inline for the measured difference).
import * as transformers from '@huggingface/transformers';
import type { ModelFolder } from './model-folder';
import type { DecodeOptions, DecodeResult, Decoder } from './onnx-decoder';

type GenerateFn = (args: Record<string, unknown>) => Promise<unknown>;
interface CausalLM { generate: GenerateFn; dispose(): Promise<unknown> }

export class TransformersDecoder implements Decoder {
  readonly backend = 'transformers' as const;
  private constructor(private readonly model: CausalLM) {}

  static async load(model: ModelFolder, opts: { threads?: number } = {}): Promise<TransformersDecoder> {
    // Never reach for the hub: the folder is a local absolute path (not a model id), and remote loading is off.
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    const lm = await transformers.AutoModelForCausalLM.from_pretrained(model.dir, {
      local_files_only: true,
      device: 'cpu',
      dtype: model.variant === 'int8' ? 'int8' : 'fp32',
      session_options: { intraOpNumThreads: opts.threads ?? 1, interOpNumThreads: 1 },
    } as never);
    return new TransformersDecoder(lm as unknown as CausalLM);
  }

  async generate(promptIds: readonly number[], opts: DecodeOptions): Promise<DecodeResult> {
    const t0 = performance.now();
    let firstTokenMs = 0;
    const out: number[] = [];
    let cancelled = false;
    let stoppedByHook = false;
    const stop = new Set(opts.stopIds);
    // A streamer (duck-typed: put/end) sees the prompt first, then each new token: where first-token time is taken.
    let sawPrompt = false;
    const streamer = {
      put(ids: bigint[][]) {
        if (!sawPrompt) { sawPrompt = true; return; }
        if (!firstTokenMs) firstTokenMs = performance.now() - t0;
        out.push(Number(ids[0]![0]!));
      },
      end() { /* nothing buffered */ },
    };
    // Cancellation and codec-level stops are stopping criteria, checked after each token.
    class Hook extends transformers.StoppingCriteria {
      // Typed number[][] upstream; at run time the ids are bigint (unused here: only the count matters).
      override _call(inputIds: number[][]): boolean[] {
        if (opts.isCancelled?.()) cancelled = true;
        const visible = out.filter((id) => !stop.has(id));
        if (!cancelled && visible.length === out.length && opts.stopWhen?.(visible)) stoppedByHook = true;
        return inputIds.map(() => cancelled || stoppedByHook);
      }
    }
    const n = promptIds.length;
    await this.model.generate({
      input_ids: new transformers.Tensor('int64', BigInt64Array.from(promptIds, (x) => BigInt(x)), [1, n]),
      attention_mask: new transformers.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      max_new_tokens: opts.maxNewTokens,
      do_sample: false,
      eos_token_id: [...opts.stopIds],
      stopping_criteria: [new Hook()],
      streamer,
    });
    const stopAt = out.findIndex((id) => stop.has(id));
    const ids = stopAt >= 0 ? out.slice(0, stopAt) : out;
    const finishReason = cancelled ? 'cancelled' : stopAt >= 0 || stoppedByHook ? 'stop' : 'length';
    return { ids, finishReason, promptTokens: n, firstTokenMs, totalMs: performance.now() - t0 };
  }

  async dispose(): Promise<void> { await this.model.dispose(); }
}
