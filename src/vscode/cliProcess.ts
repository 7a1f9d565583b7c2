// Runs `dist/cli.js` as a child process with VS Code's own Node (ARCHITECTURE.md "Processes"): `process.execPath`
// with ELECTRON_RUN_AS_NODE=1, so users need no separate Node install. Argument arrays only, never a shell string.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** Splits a byte stream into lines; a partial last line waits for its newline (or `flush` at exit). */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: Buffer | string): void {
    const text = this.rest + chunk.toString();
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const l of lines) this.onLine(l.replace(/\r$/, ''));
  }
  flush(): void { if (this.rest) { const l = this.rest; this.rest = ''; this.onLine(l); } }
}

export interface CliInvocation { command: string; args: string[]; env: NodeJS.ProcessEnv }

export function cliInvocation(extensionPath: string, args: string[], env: NodeJS.ProcessEnv = process.env, execPath = process.execPath): CliInvocation {
  return { command: execPath, args: [join(extensionPath, 'dist', 'cli.js'), ...args], env: { ...env, ELECTRON_RUN_AS_NODE: '1' } };
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export function startCli(inv: CliInvocation, cwd: string, onStdout: (line: string) => void, onStderr: (line: string) => void): RunningCli {
  const child = spawn(inv.command, inv.args, { cwd, env: inv.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new LineSplitter(onStdout);
  const err = new LineSplitter(onStderr);
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => err.push(d));
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (e) => { onStderr(`could not start ${inv.command}: ${e.message}`); resolve(-1); });
    child.on('close', (code) => { out.flush(); err.flush(); resolve(code); });
  });
  return { child, exited };
}
