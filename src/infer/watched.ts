// Inference requests with the calling thread's event loop measured (loop-delay.ts) in two windows that are logged
// apart: loading the model (worker start + session creation: the first request, or the first after a new export)
// and generating. Issue #6's target is about generating ("the extension host's event loop never blocked for more
// than 50 ms while generating"); the load window is measured and logged the same way, so neither figure hides in
// the other. Loading first costs nothing when the model is already loaded (the worker compares a file fingerprint).
import { describeLoopDelay, type LoopDelayWatch } from './loop-delay';
import type { CompletionRequest, CompletionResult, LoadRequest } from './protocol';
import type { InferenceService } from './service';

export type Inference = Pick<InferenceService, 'complete' | 'load'>;

export function watchedInference(service: Inference, watch: Pick<LoopDelayWatch, 'track'>, log: (message: string) => void): Inference {
  const load = async (req: LoadRequest, signal?: AbortSignal): Promise<number> => {
    const r = await watch.track(service.load(req, signal));
    if (r.value > 0) log(`[inference] extension host event loop while loading the model (${r.value.toFixed(0)} ms): ${describeLoopDelay(r)}`);
    return r.value;
  };
  return {
    load,
    complete: async (req: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> => {
      const { modelDir, backend, variant, threads } = req;
      const loadMs = await load({ modelDir, backend, variant, threads }, signal);
      const r = await watch.track(service.complete(req, signal));
      log(`[inference] extension host event loop while generating ${r.value.ids.length} tokens: ${describeLoopDelay(r)}`);
      // The answer still says what its request cost in loading, though the worker did it one message earlier.
      return loadMs > 0 ? { ...r.value, timings: { ...r.value.timings, loadMs } } : r.value;
    },
  };
}
