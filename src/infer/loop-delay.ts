// How long the calling thread's event loop was held up while inference requests were in flight (issue #6: the
// extension host must never be blocked > 50 ms while the model generates). perf_hooks' histogram samples the loop
// every `resolution` ms; it stays enabled once started, because disabling and re-enabling it counts the disabled gap
// as one huge delay (seen in `tooltune bench inline`), and is reset when a request starts with none in flight.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export class LoopDelayWatch {
  private h: IntervalHistogram | undefined;
  private inFlight = 0;

  constructor(private readonly resolutionMs = 5) {}

  /** Await `work`; also return the longest event-loop delay (ms) seen since the first of the overlapping requests began. */
  async track<T>(work: Promise<T>): Promise<{ value: T; maxDelayMs: number }> {
    if (!this.h) { this.h = monitorEventLoopDelay({ resolution: this.resolutionMs }); this.h.enable(); }
    if (this.inFlight++ === 0) this.h.reset();
    try {
      const value = await work;
      return { value, maxDelayMs: this.h.max / 1e6 };
    } finally {
      this.inFlight--;
    }
  }

  dispose(): void { this.h?.disable(); this.h = undefined; }
}
