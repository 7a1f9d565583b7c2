// How long the calling thread's event loop was held up while inference requests were in flight (issue #6: the
// extension host must never be blocked > 50 ms while the model generates). perf_hooks' histogram samples the loop
// every `resolution` ms; it stays enabled once started, because disabling and re-enabling it counts the disabled gap
// as one huge delay (seen in `tooltune bench inline`), and is reset when a request starts with none in flight.
//
// A late timer has two possible causes, and the report separates them: the thread ran JavaScript that long (its own
// work: `busyMs`, from performance.eventLoopUtilization), or the thread was ready but the OS gave the core to another
// thread (`waitMs`: the kernel's run-queue wait for this thread, Linux /proc/thread-self/schedstat).
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopDelayReport {
  /** Longest event-loop delay (ms) seen since the first of the overlapping requests began. */
  maxDelayMs: number;
  /** Time (ms) this thread spent running callbacks (not waiting for events) in that window. */
  busyMs: number;
  /** Time (ms) this thread was runnable but not on a core in that window (Linux; undefined elsewhere). */
  waitMs: number | undefined;
}

/** This thread's run-queue wait so far (ns), from the kernel's schedstat line "<on-cpu ns> <waiting ns> <slices>". */
export function runQueueWaitNs(read: () => string = () => readFileSync('/proc/thread-self/schedstat', 'utf8')): number | undefined {
  try {
    const waited = Number(read().trim().split(/\s+/)[1]);
    return Number.isFinite(waited) ? waited : undefined;
  } catch {
    return undefined; // not Linux, or /proc not mounted
  }
}

export class LoopDelayWatch {
  private h: IntervalHistogram | undefined;
  private inFlight = 0;
  private elu0: EventLoopUtilization | undefined;
  private wait0: number | undefined;

  constructor(private readonly resolutionMs = 5) {}

  /** Await `work`; also report the event loop's delay, busy time and run-queue wait since the first overlapping request began. */
  async track<T>(work: Promise<T>): Promise<LoopDelayReport & { value: T }> {
    if (!this.h) { this.h = monitorEventLoopDelay({ resolution: this.resolutionMs }); this.h.enable(); }
    if (this.inFlight++ === 0) {
      this.h.reset();
      this.elu0 = performance.eventLoopUtilization();
      this.wait0 = runQueueWaitNs();
    }
    try {
      const value = await work;
      const wait = runQueueWaitNs();
      return {
        value,
        maxDelayMs: this.h.max / 1e6,
        busyMs: performance.eventLoopUtilization(this.elu0).active,
        waitMs: wait !== undefined && this.wait0 !== undefined ? (wait - this.wait0) / 1e6 : undefined,
      };
    } finally {
      this.inFlight--;
    }
  }

  dispose(): void { this.h?.disable(); this.h = undefined; }
}

/** One log line for a request's report. */
export function describeLoopDelay(r: LoopDelayReport): string {
  return `max delay ${r.maxDelayMs.toFixed(1)} ms (this thread busy ${r.busyMs.toFixed(1)} ms` +
    `${r.waitMs === undefined ? '' : `, waiting for a CPU core ${r.waitMs.toFixed(1)} ms`})`;
}
