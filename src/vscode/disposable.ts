// A small Disposable toolkit (as in the GitHub Pull Requests extension) so lifetimes stay explicit.
export interface Disposable { dispose(): unknown }

export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return { dispose: () => { if (!done) { done = true; fn(); } } };
}

/** Dispose in reverse order of creation; one failing dispose does not stop the others. */
export function disposeAll(items: Disposable[]): void {
  const errors: unknown[] = [];
  while (items.length) {
    try { items.pop()!.dispose(); } catch (e) { errors.push(e); }
  }
  if (errors.length) throw errors[0];
}

export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;
  add<T extends Disposable>(d: T): T {
    if (this.disposed) d.dispose(); else this.items.push(d);
    return d;
  }
  dispose(): void { this.disposed = true; disposeAll(this.items); }
}
