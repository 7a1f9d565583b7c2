// The webview's side of webview/protocol.ts: requests with correlation ids, and event subscriptions.
import type { DashboardEvents, DashboardRequests, EventName, HostToWebview, RequestName } from './protocol';

export interface PostTarget { postMessage(message: unknown): void }

export class HostClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers = new Map<EventName, ((data: unknown) => void)[]>();

  constructor(private readonly target: PostTarget) {}

  request<K extends RequestName>(method: K, params: DashboardRequests[K][0]): Promise<DashboardRequests[K][1]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.target.postMessage({ kind: 'request', id, method, params });
    });
  }

  on<K extends EventName>(event: K, handler: (data: DashboardEvents[K]) => void): void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler as (data: unknown) => void);
    this.handlers.set(event, list);
  }

  /** Feed every `message` event of the window here. */
  dispatch(msg: HostToWebview): void {
    if (msg.kind === 'reply') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result); else p.reject(new Error(msg.error));
    } else if (msg.kind === 'event') {
      for (const h of this.handlers.get(msg.event) ?? []) h(msg.data);
    }
  }
}
