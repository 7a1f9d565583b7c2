// The inference worker thread (bundled to dist/inferWorker.js). It owns the loaded model so that loading and
// generating never block the extension host's event loop; requests (completions, and loads ahead of them) run one at
// a time, in order. A cancel message drops a queued request or stops a running one between decode steps.
import { parentPort } from 'node:worker_threads';
import { CompletionEngine } from './completion-engine';
import type { FromWorker, ToWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('src/infer/worker.ts must run as a worker thread (see InferenceService)');

const post = (m: FromWorker) => port.postMessage(m);
const engine = new CompletionEngine((message) => post({ type: 'log', message }));
const cancelled = new Set<number>();
type Job = Extract<ToWorker, { type: 'complete' | 'load' }>;
const queue: Job[] = [];
let busy = false;
let running = -1;

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const { id } = job;
      if (cancelled.delete(id)) { post({ type: 'error', id, name: 'CancelledError', message: 'cancelled' }); continue; }
      running = id;
      try {
        if (job.type === 'load') post({ type: 'loaded', id, loadMs: await engine.load(job.request) });
        else post({ type: 'result', id, result: await engine.complete(job.request, () => cancelled.has(id)) });
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
  if (m.type === 'complete' || m.type === 'load') { queue.push(m); void drain(); }
  // Only remember cancels of work still to do, so finished ids never pile up.
  else if (m.type === 'cancel') { if (running === m.id || queue.some((j) => j.id === m.id)) cancelled.add(m.id); }
  else if (m.type === 'unload') void engine.unload();
});
