// Writes a run folder `.tooltune/runs/<name>-<timestamp>/` (ARCHITECTURE.md "Run folder"): config.json,
// status.json, metrics.jsonl, rollouts.jsonl, eval.jsonl, events.log, checkpoints/step-N/, final/.
// JSONL files are append-only and every line is written with one synchronous write as soon as it exists, so a crash
// loses nothing already recorded and a reader (runReader.ts) sees at most a torn last line. status.json is replaced
// atomically (temp file + rename) so readers never see half of it.
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RUN_FILES, type EvalRecord, type RolloutRecord, type RunStatus, type StepMetrics } from './events';
import type { RunStatusFile } from './runReader';

/** `20261122-021500` in UTC: sortable, and safe in folder names on every OS. */
export function runTimestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** status.json as this writer fills it: the reader's fields plus the engine's pid (tests and crash triage). */
export interface TrainerStatusFile extends RunStatusFile { engine_pid?: number }

export class RunWriter {
  private statusData: TrainerStatusFile;

  private constructor(readonly dir: string, status: TrainerStatusFile) { this.statusData = status; }

  /** A new run folder under `runsDir` (created), named `<name>-<timestamp>` (suffixed when taken). */
  static create(runsDir: string, name: string, config: unknown, totalSteps: number, now = new Date()): RunWriter {
    mkdirSync(runsDir, { recursive: true });
    let dir = resolve(runsDir, `${name}-${runTimestamp(now)}`);
    for (let i = 2; existsSync(dir); i++) dir = resolve(runsDir, `${name}-${runTimestamp(now)}-${i}`);
    mkdirSync(dir);
    mkdirSync(join(dir, RUN_FILES.checkpoints));
    writeFileSync(join(dir, RUN_FILES.config), JSON.stringify(config, null, 2) + '\n');
    const w = new RunWriter(dir, { status: 'starting', step: 0, total_steps: totalSteps, pid: process.pid });
    w.writeStatus();
    return w;
  }

  /** An existing run folder, to resume it. */
  static open(dir: string): RunWriter {
    const abs = resolve(dir);
    if (!existsSync(join(abs, RUN_FILES.config))) {
      throw new Error(`${abs}: not a ToolTune run folder (no ${RUN_FILES.config}); pass the folder printed when the run started`);
    }
    let status: RunStatusFile = {};
    try { status = JSON.parse(readFileSync(join(abs, RUN_FILES.status), 'utf8')) as RunStatusFile; } catch { /* rewritten below */ }
    mkdirSync(join(abs, RUN_FILES.checkpoints), { recursive: true });
    return new RunWriter(abs, { ...status, pid: process.pid });
  }

  get config(): unknown { return JSON.parse(readFileSync(join(this.dir, RUN_FILES.config), 'utf8')); }
  get status(): TrainerStatusFile { return { ...this.statusData }; }
  file(name: keyof typeof RUN_FILES): string { return join(this.dir, RUN_FILES[name]); }
  checkpointDir(step: number): string { return join(this.dir, RUN_FILES.checkpoints, `step-${step}`); }
  get finalDir(): string { return join(this.dir, RUN_FILES.final); }

  private appendLine(name: 'metrics' | 'rollouts' | 'eval', obj: unknown): void {
    appendFileSync(this.file(name), JSON.stringify(obj) + '\n');
  }
  appendMetrics(m: StepMetrics): void { this.appendLine('metrics', m); }
  appendEval(r: EvalRecord): void { this.appendLine('eval', r); }
  /** One write for all of a step's rollouts: one syscall, and a crash tears at most the last line. */
  appendRollouts(rs: readonly RolloutRecord[]): void {
    if (rs.length) appendFileSync(this.file('rollouts'), rs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  /** A human-readable line in events.log: `2026-11-22T02:15:00.000Z info message`. Multi-line messages are indented. */
  log(level: 'debug' | 'info' | 'warning' | 'error', message: string, now = new Date()): void {
    const text = message.replace(/\n/g, '\n    ');
    appendFileSync(this.file('events'), `${now.toISOString()} ${level} ${text}\n`);
  }

  setStatus(patch: TrainerStatusFile & { status?: RunStatus }): void {
    this.statusData = { ...this.statusData, ...patch, updated: new Date().toISOString() };
    this.writeStatus();
  }

  private writeStatus(): void {
    const tmp = this.file('status') + '.tmp';
    writeFileSync(tmp, JSON.stringify(this.statusData, null, 2) + '\n');
    renameSync(tmp, this.file('status'));
  }

  /** The highest step with a complete checkpoint folder (`checkpoints/step-N/` holding trainer_state.json). */
  lastCheckpoint(): { step: number; path: string } | null {
    let best: { step: number; path: string } | null = null;
    let names: string[] = [];
    try { names = readdirSync(join(this.dir, RUN_FILES.checkpoints)); } catch { return null; }
    for (const n of names) {
      const m = /^step-(\d+)$/.exec(n);
      if (!m) continue;
      const path = join(this.dir, RUN_FILES.checkpoints, n);
      if (!existsSync(join(path, 'trainer_state.json'))) continue;
      const step = Number(m[1]);
      if (!best || step > best.step) best = { step, path };
    }
    return best;
  }

  /**
   * Resuming from step N: records of later steps (written after the checkpoint, before the interruption) are
   * dropped so the resumed run's files equal an uninterrupted run's. Each file is rewritten via temp + rename.
   * Returns how many lines were dropped per file.
   */
  truncateAfter(step: number): Record<string, number> {
    const dropped: Record<string, number> = {};
    for (const name of ['metrics', 'rollouts', 'eval'] as const) {
      const file = this.file(name);
      if (!existsSync(file)) continue;
      const lines = readFileSync(file, 'utf8').split('\n');
      const keep: string[] = [];
      let n = 0;
      for (const line of lines) {
        if (!line.trim()) continue;
        let s: number | undefined;
        try { s = (JSON.parse(line) as { step?: number }).step; } catch { n++; continue; } // a torn line
        if (typeof s === 'number' && s > step) { n++; continue; }
        keep.push(line);
      }
      writeFileSync(file + '.tmp', keep.length ? keep.join('\n') + '\n' : '');
      renameSync(file + '.tmp', file);
      dropped[name] = n;
    }
    return dropped;
  }
}
