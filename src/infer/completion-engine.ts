// The inference work itself: one loaded model (cached, reloaded when the folder's export changes), prompt rendering
// with the model's own chat template (core PromptRenderer: the same ids training used), greedy decoding, and the
// codec's parse of the output. Runs inside the worker thread (worker.ts); tests also drive it directly.
import type { Codec, CodecName } from '../core/types';
import { endsWithCompleteCall } from './decode-rules';
import { loadTokenizer, type Tokenizer } from '../core/tokenizer';
import { PromptRenderer } from '../core/prompt';
import { codecForModelType, getCodec } from '../core/codecs';
import { readModelFolder, type ModelFolder } from './model-folder';
import { runCodec } from './run-models';
import { OrtDecoder, type Decoder, type DecoderBackend } from './onnx-decoder';
import { TransformersDecoder } from './transformers-decoder';
import type { CompletionRequest, CompletionResult, LoadRequest } from './protocol';

interface Loaded {
  key: string;
  model: ModelFolder;
  decoder: Decoder;
  tokenizer: Tokenizer;
  renderer: PromptRenderer;
  stopIds: number[];
  /** the codec the run trained with, read once per load */
  runCodec: CodecName | undefined;
}

export class CompletionEngine {
  private loaded: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;

  constructor(private readonly log: (message: string) => void = () => {}) {}

  /** The loaded model for a request: cached while folder, export file, variant and backend stay the same. */
  private async ensure(req: LoadRequest): Promise<{ loaded: Loaded; loadMs: number }> {
    const backend: DecoderBackend = req.backend ?? 'ort';
    const model = readModelFolder(req.modelDir, req.variant ?? 'fp32');
    const key = `${backend}|${model.fingerprint}`;
    if (this.loaded?.key === key) return { loaded: this.loaded, loadMs: 0 };
    const t0 = performance.now();
    await this.unload();
    this.loading = (async () => {
      const tokenizer = loadTokenizer(model.dir);
      const renderer = new PromptRenderer(tokenizer);
      const decoder = backend === 'transformers'
        ? await TransformersDecoder.load(model, { threads: req.threads })
        : await OrtDecoder.load(model, { threads: req.threads });
      const stopIds = [...new Set([renderer.endOfTurnId, ...tokenizer.stopTokenIds, ...model.eosIds])];
      return { key, model, decoder, tokenizer, renderer, stopIds, runCodec: runCodec(model.dir) };
    })();
    try {
      this.loaded = await this.loading;
    } finally {
      this.loading = undefined;
    }
    const loadMs = performance.now() - t0;
    this.log(`loaded ${model.onnxPath} (${backend}) in ${loadMs.toFixed(0)} ms`);
    return { loaded: this.loaded, loadMs };
  }

  /** Loads the request's model now (ms spent; 0 when it was already loaded), so the next completion starts at once. */
  async load(req: LoadRequest): Promise<number> { return (await this.ensure(req)).loadMs; }

  async complete(req: CompletionRequest, isCancelled: () => boolean = () => false): Promise<CompletionResult> {
    const { loaded, loadMs } = await this.ensure(req);
    const codec = pickCodec(req.codec ?? (loaded.model.tooltune.codec as CodecName | undefined) ?? loaded.runCodec, loaded.model.modelType);
    const t0 = performance.now();
    const promptIds = req.promptIds ?? loaded.renderer.promptIds({ messages: req.messages, tools: req.tools });
    const promptMs = performance.now() - t0;
    // Special tokens kept, as training decodes completions (src/train/policy.ts): the same text, the same verdict.
    const decode = (ids: readonly number[]) => loaded.tokenizer.decode(ids);
    const stopWhen = req.stopAt === 'call' ? (ids: readonly number[]) => endsWithCompleteCall(codec, decode(ids)) : undefined;
    const r = await loaded.decoder.generate(promptIds, {
      maxNewTokens: req.maxNewTokens ?? 128, stopIds: loaded.stopIds, isCancelled, stopWhen,
    });
    const text = decode(r.ids);
    const parsed = codec.parse(text);
    return {
      text, calls: parsed.calls, clean: parsed.clean, parseErrors: parsed.errors, ids: r.ids,
      finishReason: r.finishReason, promptTokens: r.promptTokens, backend: loaded.decoder.backend, codec: codec.name,
      timings: { loadMs, promptMs, firstTokenMs: r.firstTokenMs, generateMs: r.totalMs },
    };
  }

  async unload(): Promise<void> {
    if (this.loading) await this.loading.catch(() => undefined);
    const old = this.loaded;
    this.loaded = undefined;
    if (old) await old.decoder.dispose();
  }
}

function pickCodec(name: CodecName | undefined, modelType: string): Codec {
  return name ? getCodec(name) : codecForModelType(modelType);
}
