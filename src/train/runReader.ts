// Reads and tails run folders `.tooltune/runs/<name>-<timestamp>/` (ARCHITECTURE.md "Run folder"). The writer
// appends one JSON object per line and flushes each line, so a reader racing it can see a torn last line: such a
// line is never consumed, and the next tail picks it up once its newline lands. The extension (runs tree,
// dashboard) and the CLI use this; it spawns nothing and imports no vscode.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { RUN_FILES, type EvalRecord, type RolloutRecord, type RunStatus, type StepMetrics } from './events';

/** A line that was complete but not valid JSON (a torn line in the middle means the writer was killed mid-line). */
export interface JsonlProblem { file: string; line: number; message: string }

export interface JsonlChunk<T> {
  records: T[];
  /** Byte offset just after the last complete line consumed; pass it back to read on. */
  nextOffset: number;
  /** 1-based line number of the next unread line (when reading started from 0 or a known line). */
  nextLine: number;
  problems: JsonlProblem[];
}

/**
 * Read the complete lines of a JSONL file from `offset` on. A last line without its newline is left for later
 * (`nextOffset` stops before it). A file shorter than `offset` was replaced or truncated: reading restarts at 0 and
 * `reset` says so. A missing file is an empty chunk.
 */
export function readJsonl<T>(file: string, offset = 0, firstLine = 1): JsonlChunk<T> & { reset: boolean } {
  const out: JsonlChunk<T> & { reset: boolean } = { records: [], nextOffset: offset, nextLine: firstLine, problems: [], reset: false };
  let size: number;
  try { size = statSync(file).size; } catch { return out; }
  if (size < offset) { offset = 0; firstLine = 1; out.reset = true; out.nextOffset = 0; out.nextLine = 1; }
  if (size === offset) return out;
  const fd = openSync(file, 'r');
  let buf: Buffer;
  try {
    buf = Buffer.alloc(size - offset);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    buf = buf.subarray(0, got);
  } finally { closeSync(fd); }
  const lastNl = buf.lastIndexOf(0x0a);
  if (lastNl < 0) return out;
  // Decode only whole lines: a multi-byte character can not be split across the cut.
  const text = buf.subarray(0, lastNl + 1).toString('utf8');
  let line = firstLine;
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    const raw = text.slice(start, nl).trim();
    if (raw) {
      try { out.records.push(JSON.parse(raw) as T); } catch (e) {
        out.problems.push({ file, line, message: `not valid JSON (${(e as Error).message}); line skipped` });
      }
    }
    line++;
    start = nl + 1;
  }
  out.nextOffset = offset + lastNl + 1;
  out.nextLine = line;
  return out;
}

/** Follows one JSONL file: each `poll()` returns the records appended since the last one. */
export class JsonlTail<T> {
  private offset = 0;
  private line = 1;
  constructor(readonly file: string) {}
  /** `reset` is true when the file was truncated or replaced: the caller should drop what it had. */
  poll(): { records: T[]; reset: boolean; problems: JsonlProblem[] } {
    const chunk = readJsonl<T>(this.file, this.offset, this.line);
    this.offset = chunk.nextOffset;
    this.line = chunk.nextLine;
    return { records: chunk.records, reset: chunk.reset, problems: chunk.problems };
  }
  get position(): number { return this.offset; }
}

/** status.json as the trainer writes it; every field optional because older or crashed runs may lack some. */
export interface RunStatusFile {
  status?: RunStatus;
  step?: number;
  total_steps?: number;
  pid?: number;
  error?: string;
  updated?: string;
  final_dir?: string;
  /** Set when the run ended without GRPO because its start was not learnable (min_start_call_pass_at_k). */
  skipped_grpo?: string;
}

export interface RunSummary {
  /** Absolute folder. */
  dir: string;
  /** Folder name, e.g. "weather-20261122-021500". */
  id: string;
  status: RunStatus | 'unknown';
  step: number;
  totalSteps?: number;
  error?: string;
  /** Milliseconds since epoch of the folder's creation (for sorting). */
  createdMs: number;
  hasFinal: boolean;
}

export type IsAlive = (pid: number) => boolean;

/** Signal 0 checks that a process exists without touching it. */
export const processIsAlive: IsAlive = (pid) => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
};

function readJsonFile<T>(file: string): T | undefined {
  try { return JSON.parse(readFileSync(file, 'utf8')) as T; } catch { return undefined; }
}

/** The last complete record of a JSONL file, read from its tail only (metrics files grow to many MB). */
export function lastJsonlRecord<T>(file: string, window = 64 * 1024): T | undefined {
  let size: number;
  try { size = statSync(file).size; } catch { return undefined; }
  if (size === 0) return undefined;
  const start = Math.max(0, size - window);
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    // The final element follows the last newline: it is either empty or a torn line, so it is skipped.
    for (let i = lines.length - 2; i >= (start > 0 ? 1 : 0); i--) {
      const raw = lines[i]!.trim();
      if (!raw) continue;
      try { return JSON.parse(raw) as T; } catch { /* a broken line: try the one before */ }
    }
  } finally { closeSync(fd); }
  return undefined;
}

/** The input files a run was started with (config.json's `inputs`, written by the run writer); {} when unknown.
 *  Runs record absolute paths; a relative one (older runs) is taken relative to the workspace folder that holds
 *  `.tooltune/runs/<run>`, where the trainer ran. */
export function runInputs(dir: string): { tools?: string; data?: string; evalData?: string } {
  const i = readJsonFile<{ inputs?: Record<string, unknown> }>(join(dir, RUN_FILES.config))?.inputs ?? {};
  const base = resolve(dir, '..', '..', '..');
  const out: { tools?: string; data?: string; evalData?: string } = {};
  for (const k of ['tools', 'data', 'evalData'] as const) {
    const v = i[k];
    if (typeof v === 'string' && v) out[k] = isAbsolute(v) ? v : resolve(base, v);
  }
  return out;
}

/**
 * What state a run is in. status.json wins, except that a "running" run whose process is gone is reported as
 * "failed" (the trainer was killed before it could write its end). Without status.json, `final/` means completed.
 */
export function summarizeRun(dir: string, isAlive: IsAlive = processIsAlive): RunSummary {
  const st = readJsonFile<RunStatusFile>(join(dir, RUN_FILES.status)) ?? {};
  const hasFinal = existsSync(join(dir, RUN_FILES.final));
  const last = lastJsonlRecord<StepMetrics>(join(dir, RUN_FILES.metrics));
  let status: RunSummary['status'] = st.status ?? (hasFinal ? 'completed' : 'unknown');
  let error = st.error;
  if ((status === 'running' || status === 'starting' || status === 'stopping') && st.pid !== undefined && !isAlive(st.pid)) {
    status = 'failed';
    error ??= `the trainer (pid ${st.pid}) exited without finishing the run`;
  }
  let createdMs = 0;
  try { createdMs = statSync(dir).birthtimeMs || statSync(dir).mtimeMs; } catch { /* vanished */ }
  const cfg = readJsonFile<{ steps?: number; grpo?: { steps?: number } }>(join(dir, RUN_FILES.config));
  const totalSteps = st.total_steps ?? cfg?.steps ?? cfg?.grpo?.steps;
  return {
    dir, id: basename(dir), status, step: Math.max(st.step ?? 0, last?.step ?? 0),
    ...(totalSteps !== undefined ? { totalSteps } : {}), ...(error ? { error } : {}), createdMs, hasFinal,
  };
}

/** Every run folder under `<root>/.tooltune/runs/`, newest first. A folder counts when it holds config.json or metrics. */
export function listRuns(workspaceRoot: string, isAlive: IsAlive = processIsAlive): RunSummary[] {
  const runsDir = join(workspaceRoot, '.tooltune', 'runs');
  let names: string[];
  try { names = readdirSync(runsDir); } catch { return []; }
  const out: RunSummary[] = [];
  for (const name of names) {
    const dir = join(runsDir, name);
    try { if (!statSync(dir).isDirectory()) continue; } catch { continue; }
    if (!existsSync(join(dir, RUN_FILES.config)) && !existsSync(join(dir, RUN_FILES.metrics))) continue;
    out.push(summarizeRun(dir, isAlive));
  }
  // Folder names end in a sortable timestamp; names break ties when birth times are equal (copied folders).
  return out.sort((a, b) => b.createdMs - a.createdMs || b.id.localeCompare(a.id));
}

/** Everything a run folder holds, read once (the dashboard then tails the files). */
export interface RunData {
  summary: RunSummary;
  config: unknown;
  metrics: StepMetrics[];
  evals: EvalRecord[];
  rollouts: RolloutRecord[];
  problems: JsonlProblem[];
}

export function readRun(dir: string, isAlive: IsAlive = processIsAlive): RunData {
  const m = readJsonl<StepMetrics>(join(dir, RUN_FILES.metrics));
  const e = readJsonl<EvalRecord>(join(dir, RUN_FILES.eval));
  const r = readJsonl<RolloutRecord>(join(dir, RUN_FILES.rollouts));
  return {
    summary: summarizeRun(dir, isAlive),
    config: readJsonFile(join(dir, RUN_FILES.config)) ?? null,
    metrics: m.records, evals: e.records, rollouts: r.records,
    problems: [...m.problems, ...e.problems, ...r.problems],
  };
}

export const _private = { readJsonFile };
