// The engine client: spawns `python -m tooltune_engine` and speaks the JSON-RPC protocol of ./protocol.ts over its
// stdin/stdout (LSP framing, vscode-jsonrpc). The engine's stderr is kept (last lines) for crash reports; when the
// process dies every pending request is rejected with an EngineCrashedError that carries those lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { PassThrough } from 'node:stream';
import {
  createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter, type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { EngineMethods, ErrorData, LogNotification, ProgressNotification } from './protocol';

export interface EngineStartOptions {
  /** The Python interpreter (from preflight). */
  python: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The folder that contains the `tooltune_engine` package; default: found next to this bundle or source. */
  engineDir?: string;
  onLog?: (n: LogNotification) => void;
  onProgress?: (n: ProgressNotification) => void;
  /** Each stderr line as it arrives (Python warnings, tracebacks). */
  onStderr?: (line: string) => void;
  /** How many stderr lines to keep for crash reports. */
  stderrLines?: number;
  /** Run the engine in its own process group (POSIX), so a terminal's Ctrl-C reaches only the orchestrator, which
   *  finishes the step and checkpoints; the engine still exits when its stdin closes. */
  detached?: boolean;
}

/** A JSON-RPC error answered by the engine (the process is still alive). */
export class EngineError extends Error {
  constructor(readonly method: string, readonly code: number, message: string, readonly data?: ErrorData) {
    super(`engine ${method} failed: ${message}${data?.hint ? ` (${data.hint})` : ''}`);
    this.name = 'EngineError';
  }
}

/** The engine process ended while requests were pending, or a request was made after it ended. */
export class EngineCrashedError extends Error {
  constructor(readonly method: string, readonly exitCode: number | null, readonly signal: string | null, readonly stderrTail: string[]) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    const tail = stderrTail.length ? `\nlast engine stderr lines:\n${stderrTail.join('\n')}` : '';
    super(`the engine process ${how} during ${method}${tail}`);
    this.name = 'EngineCrashedError';
  }
}

/** Find the folder holding `tooltune_engine/`: `<repo>/engine` from the source tree (src/engine → ../../engine) or
 *  from the bundle (dist → ../engine), walking up so both layouts work. */
export function findEngineDir(start: string = __dirname): string | null {
  let dir = resolve(start);
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'engine');
    if (existsSync(join(candidate, 'tooltune_engine', '__main__.py'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

interface Pending { method: string; reject: (e: Error) => void }

export class EngineClient {
  private readonly stderrTail: string[] = [];
  private readonly pending = new Set<Pending>();
  private exited: { code: number | null; signal: string | null } | null = null;
  private readonly exitPromise: Promise<void>;
  private markExited!: () => void;
  private disposed = false;

  private constructor(private readonly child: ChildProcess, private readonly connection: MessageConnection,
    private readonly keepLines: number) {
    this.exitPromise = new Promise((res) => { this.markExited = res; });
  }

  static start(opts: EngineStartOptions): EngineClient {
    const engineDir = opts.engineDir ?? findEngineDir();
    if (!engineDir) throw new Error('cannot find the engine folder (engine/tooltune_engine) next to ToolTune; reinstall the extension or run from the repository');
    const baseEnv = opts.env ?? process.env;
    const env: NodeJS.ProcessEnv = {
      ...baseEnv,
      PYTHONPATH: baseEnv.PYTHONPATH ? `${engineDir}${delimiter}${baseEnv.PYTHONPATH}` : engineDir,
      // Tracebacks and logs must reach us as they happen, not when a buffer fills.
      PYTHONUNBUFFERED: '1',
    };
    const child = spawn(opts.python, ['-m', 'tooltune_engine'], { cwd: opts.cwd ?? engineDir, env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, detached: opts.detached === true && process.platform !== 'win32' });
    // Requests go through a PassThrough piped into stdin: when the engine dies (or never started) writes land in a
    // stream that is still open instead of a destroyed one, whose failures vscode-jsonrpc leaves unhandled; the exit
    // handler below then rejects the request with the engine's stderr tail.
    const outbox = new PassThrough();
    outbox.pipe(child.stdin!);
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(outbox));
    const client = new EngineClient(child, connection, opts.stderrLines ?? 40);
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) client.pushStderr(line, opts.onStderr);
    });
    child.stderr!.on('end', () => { if (partial) client.pushStderr(partial, opts.onStderr); partial = ''; });
    // A write to a dead engine's stdin must not crash the orchestrator; the exit handler reports the death.
    child.stdin!.on('error', () => undefined);
    child.on('error', (e) => client.onExit(null, null, e));
    child.on('exit', (code, signal) => client.onExit(code, signal));
    connection.onNotification('log', (n: LogNotification) => opts.onLog?.(n));
    connection.onNotification('progress', (n: ProgressNotification) => opts.onProgress?.(n));
    connection.onError(() => undefined);
    connection.listen();
    return client;
  }

  get pid(): number | undefined { return this.child.pid; }
  get alive(): boolean { return this.exited === null; }
  /** The last stderr lines of the engine (for events.log and crash messages). */
  lastStderr(): string[] { return [...this.stderrTail]; }
  /** Resolves when the engine process has exited. */
  whenExited(): Promise<void> { return this.exitPromise; }

  private pushStderr(line: string, cb?: (l: string) => void): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > this.keepLines) this.stderrTail.shift();
    cb?.(line);
  }

  private onExit(code: number | null, signal: string | null, spawnError?: Error): void {
    if (this.exited) return;
    this.exited = { code, signal };
    this.markExited();
    if (spawnError) this.stderrTail.push(`could not start the engine: ${spawnError.message}`);
    // Give the stderr stream a moment to deliver the traceback before we report it.
    setTimeout(() => {
      for (const p of this.pending) p.reject(new EngineCrashedError(p.method, code, signal, this.lastStderr()));
      this.pending.clear();
      this.connection.dispose();
    }, 50);
  }

  /** Send one request, typed from EngineMethods. Rejects with EngineError (engine answered an error) or
   *  EngineCrashedError (the process died). */
  request<M extends keyof EngineMethods>(method: M, params: EngineMethods[M][0]): Promise<EngineMethods[M][1]> {
    if (this.exited || this.disposed) {
      return Promise.reject(new EngineCrashedError(method, this.exited?.code ?? null, this.exited?.signal ?? null, this.lastStderr()));
    }
    return new Promise((resolvePromise, reject) => {
      const entry: Pending = { method, reject };
      this.pending.add(entry);
      this.connection.sendRequest(method, params).then(
        (r) => { this.pending.delete(entry); resolvePromise(r as EngineMethods[M][1]); },
        (e: unknown) => {
          if (!this.pending.has(entry)) return; // already rejected as a crash
          // vscode-jsonrpc's own codes (-32099 write error … -32096 inactive) mean the pipe broke, i.e. the process
          // is dying: leave the request pending so the exit handler rejects it with the engine's stderr tail.
          if (e instanceof ResponseError && e.code <= -32096 && e.code >= -32099) return;
          this.pending.delete(entry);
          if (e instanceof ResponseError) reject(new EngineError(method, e.code, e.message, e.data as ErrorData | undefined));
          else if (this.exited) reject(new EngineCrashedError(method, this.exited.code, this.exited.signal, this.lastStderr()));
          else reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  /** Ask the engine to shut down, then make sure the process is gone. Safe to call twice. */
  async dispose(graceMs = 3000): Promise<void> {
    if (this.disposed) return this.exitPromise;
    this.disposed = true;
    if (!this.exited) {
      const timeout = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      try {
        await Promise.race([this.connection.sendRequest('shutdown', {}).catch(() => undefined), timeout]);
        await Promise.race([this.exitPromise, timeout]);
      } catch { /* the process is killed below */ }
      if (!this.exited) {
        this.child.kill('SIGTERM');
        await Promise.race([this.exitPromise, new Promise<void>((r) => setTimeout(r, 2000).unref())]);
      }
      if (!this.exited) this.child.kill('SIGKILL');
    }
    await this.exitPromise;
  }

  /** Kill the engine immediately (tests, and a second Ctrl-C). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void { if (!this.exited) this.child.kill(signal); }
}
