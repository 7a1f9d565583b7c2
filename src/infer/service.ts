// The calling thread's side of inference: a worker thread that owns the model (never blocks the caller's event
// loop), typed requests with ids, cancellation through AbortSignal, and crash recovery — when the worker dies the
// pending requests fail with a clear error and the next request starts a fresh worker.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompletionRequest, CompletionResult, FromWorker, LoadRequest, ToWorker } from './protocol';

export class InferenceError extends Error {
  constructor(message: string, name = 'InferenceError') { super(message); this.name = name; }
}
/** The request was cancelled (AbortSignal) before it finished. */
export class CancelledError extends InferenceError {
  constructor() { super('inference request cancelled', 'CancelledError'); }
}

export interface InferenceServiceOptions {
  /** The worker script. Default: dist/inferWorker.js next to this bundle, else src/infer/worker.ts (tests, via tsx). */
  workerPath?: string;
  /** Extra environment for the worker thread (e.g. XDG_CACHE_HOME, where onnxruntime writes). */
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

interface Pending { resolve: (r: CompletionResult | number) => void; reject: (e: Error) => void; cleanup: () => void }

/** Finds the worker script: the bundled one beside dist/*.js, or the TypeScript source when running under tsx. */
export function defaultWorkerPath(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (const p of [join(here, 'inferWorker.js'), join(here, 'worker.ts'), join(here, '..', 'dist', 'inferWorker.js')]) {
    if (existsSync(p)) return p;
  }
  throw new InferenceError(`inference worker not found next to ${here}; run \`npm run build\` (it writes dist/inferWorker.js)`);
}

export class InferenceService {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  /** How many workers were started (1 + restarts after crashes); for status and tests. */
  starts = 0;

  constructor(private readonly opts: InferenceServiceOptions = {}) {}

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const path = this.opts.workerPath ?? defaultWorkerPath();
    const env = { ...process.env, ...this.opts.env };
    // A .ts worker (tests, under tsx) registers tsx's require hook in the thread first; bundles load directly.
    const w = path.endsWith('.ts')
      ? new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(path)});`, { eval: true, env })
      : new Worker(path, { env });
    this.starts++;
    w.on('message', (m: FromWorker) => this.onMessage(m));
    w.on('error', (e) => this.onExit(w, `crashed: ${e.message}`));
    w.on('exit', (code) => this.onExit(w, `exited with code ${code}`));
    // The extension host / CLI may exit while the model stays loaded.
    w.unref();
    this.worker = w;
    return w;
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'log') { this.opts.log?.(m.message); return; }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    p.cleanup();
    if (m.type === 'result') p.resolve(m.result);
    else if (m.type === 'loaded') p.resolve(m.loadMs);
    else p.reject(m.name === 'CancelledError' ? new CancelledError() : new InferenceError(m.message, m.name));
  }

  private onExit(w: Worker, why: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    if (this.disposed) return;
    this.opts.log?.(`inference worker ${why}; it restarts on the next request`);
    const failed = [...this.pending.values()];
    this.pending.clear();
    for (const p of failed) {
      p.cleanup();
      p.reject(new InferenceError(`the inference worker ${why} during this request; it restarts on the next request`, 'WorkerCrashError'));
    }
  }

  /** Runs one completion in the worker. Rejects with CancelledError when `signal` aborts first. */
  complete(request: CompletionRequest, signal?: AbortSignal): Promise<CompletionResult> {
    return this.send((id) => ({ type: 'complete', id, request }), signal) as Promise<CompletionResult>;
  }

  /** Starts the worker and loads the request's model now, so the next completion skips both; resolves to the ms the
   *  load took (0 when that model was already loaded). Queued like a completion: requests after it wait for it. */
  load(request: LoadRequest, signal?: AbortSignal): Promise<number> {
    return this.send((id) => ({ type: 'load', id, request }), signal) as Promise<number>;
  }

  private send(message: (id: number) => ToWorker, signal?: AbortSignal): Promise<CompletionResult | number> {
    if (this.disposed) return Promise.reject(new InferenceError('the inference service was disposed'));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<CompletionResult | number>((resolve, reject) => {
      const onAbort = () => {
        // Answer the caller at once; the worker stops between decode steps and its late answer is dropped.
        if (!this.pending.delete(id)) return;
        this.post({ type: 'cancel', id });
        reject(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, { resolve, reject, cleanup });
      w.ref();
      this.post(message(id));
    }).finally(() => { if (!this.pending.size) this.worker?.unref(); });
  }

  /** Frees the loaded model (the worker stays). */
  unload(): void { this.post({ type: 'unload' }); }

  private post(m: ToWorker): void { this.worker?.postMessage(m); }

  async dispose(): Promise<void> {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) { p.cleanup(); p.reject(new InferenceError('the inference service was disposed')); }
    this.pending.clear();
    if (w) await w.terminate();
  }
}
