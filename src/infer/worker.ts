// The inference worker thread (bundled to dist/inferWorker.js). It owns the loaded model so that loading and
// generating never block the extension host's event loop; requests run one at a time, in order. A cancel message
// drops a queued request or stops a running one between decode steps.
import { parentPort } from 'node:worker_threads';
import { CompletionEngine } from './completion-engine';
import type { CompletionRequest, FromWorker, ToWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('src/infer/worker.ts must run as a worker thread (see InferenceService)');

const post = (m: FromWorker) => port.postMessage(m);
const engine = new CompletionEngine((message) => post({ type: 'log', message }));
const cancelled = new Set<number>();
const queue: Array<{ id: number; request: CompletionRequest }> = [];
let busy = false;
let running = -1;

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const { id, request } = job;
      if (cancelled.delete(id)) { post({ type: 'error', id, name: 'CancelledError', message: 'cancelled' }); continue; }
      running = id;
      try {
        const result = await engine.complete(request, () => cancelled.has(id));
        post({ type: 'result', id, result });
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        post({ type: 'error', id, name: err.name, message: err.message });
      }
      running = -1;
      cancelled.delete(id);
    }
  } finally {
    busy = false;
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'complete') { queue.push({ id: m.id, request: m.request }); void drain(); }
  // Only remember cancels of work still to do, so finished ids never pile up.
  else if (m.type === 'cancel') { if (running === m.id || queue.some((j) => j.id === m.id)) cancelled.add(m.id); }
  else if (m.type === 'unload') void engine.unload();
});
