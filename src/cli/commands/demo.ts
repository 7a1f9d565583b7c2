// `tooltune demo`: the whole product on this machine, no downloads: creates the small Qwen3-shaped demo model with
// the real (trimmed) Qwen3 tokenizer, SFT-warms it on the train split, evaluates (greedy exact match, pass@k, format
// validity, tool names, arguments), runs GRPO, evaluates again, exports ONNX and prints a before/after table.
// With --json the last stdout line is {"before": {...}, "after": {...}, "steps", "seconds", "run"} (fractions).
// --quick proves the pipeline in a few minutes and makes no accuracy claim.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveConfig, type ConfigInput, type TrainConfig } from '../../train/config';
import type { EvalRecord } from '../../train/events';
import { train } from '../../train/loop';
import { createReporter } from '../../train/reporter';
import { installStopHandlers, reporterMode, UsageError } from './train';

const USAGE = `usage: tooltune demo [--tools T --data D --eval-data E] [--json] [--quick] [--out DIR] [--steps N] [--python PATH]
  defaults to sample-workspace/ (tools.json, train.jsonl, eval.jsonl)`;

/** --quick: every stage runs, on little data and few steps (minutes, no accuracy claim). */
export const QUICK: ConfigInput = {
  max_steps: 4, max_minutes: 1, prompts_per_step: 2, num_generations: 4, save_steps: 0,
  sft: { steps: 30, batch_size: 4, max_minutes: 1.5, restarts: [] }, eval: { every: 0, max_rows: 16, pass_at_k: 4 },
};

interface DemoArgs { tools?: string; data?: string; evalData?: string; json: boolean; quick: boolean; out?: string; steps?: number; python?: string; help: boolean }

function parse(argv: string[]): DemoArgs {
  const a: DemoArgs = { json: false, quick: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined || v.startsWith('--')) throw new UsageError(`${f} needs a value`); return v; };
    if (f === '--tools') a.tools = val();
    else if (f === '--data') a.data = val();
    else if (f === '--eval-data') a.evalData = val();
    else if (f === '--out') a.out = val();
    else if (f === '--python') a.python = val();
    else if (f === '--steps') { const n = Number(val()); if (!Number.isInteger(n) || n < 0) throw new UsageError('--steps must be a non-negative integer'); a.steps = n; }
    else if (f === '--json') a.json = true;
    else if (f === '--quick') a.quick = true;
    else if (f === '--help' || f === '-h') a.help = true;
    else throw new UsageError(`unknown option "${f}"`);
  }
  return a;
}

/** sample-workspace/ from the current folder, else next to the installed CLI (dist/../sample-workspace). */
export function sampleWorkspace(): string {
  for (const base of [process.cwd(), resolve(__dirname, '..'), resolve(__dirname, '..', '..', '..')]) {
    const dir = join(base, 'sample-workspace');
    if (existsSync(join(dir, 'tools.json'))) return dir;
  }
  throw new UsageError('sample-workspace/ not found; run from the ToolTune folder or pass --tools, --data and --eval-data');
}

export interface DemoSummary { accuracy: number; pass_at_k: number | null; k: number; format_valid: number; name_accuracy: number; args_accuracy: number; no_call_accuracy: number; n: number }

export function summary(r: EvalRecord | undefined): DemoSummary | null {
  if (!r) return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
  return {
    accuracy: r['eval/accuracy'], pass_at_k: r['eval/pass_at_k'] ?? null, k: num(r.k), format_valid: r['eval/format_valid'],
    name_accuracy: r['eval/name_accuracy'], args_accuracy: r['eval/args_accuracy'], no_call_accuracy: r['eval/no_call_accuracy'], n: r.n,
  };
}

/** The before/after table. */
export function formatTable(before: DemoSummary | null, after: DemoSummary | null): string {
  const pct = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)}%`);
  const k = before?.k ?? after?.k;
  const rows: Array<[string, keyof DemoSummary]> = [
    ['exact match (greedy)', 'accuracy'], [`pass@${Number.isFinite(k) ? k : 'k'}`, 'pass_at_k'], ['format valid', 'format_valid'],
    ['tool names', 'name_accuracy'], ['arguments', 'args_accuracy'], ['no-call rows', 'no_call_accuracy'],
  ];
  const lines = [`${''.padEnd(22)}${'after SFT'.padStart(11)}${'after GRPO'.padStart(12)}`];
  for (const [label, key] of rows) {
    lines.push(`${label.padEnd(22)}${pct(before?.[key] as number | null).padStart(11)}${pct(after?.[key] as number | null).padStart(12)}`);
  }
  lines.push(`(eval rows: ${before?.n ?? after?.n ?? 0})`);
  return lines.join('\n');
}

export default async function run(argv: string[]): Promise<number> {
  let a: DemoArgs;
  let cfg: TrainConfig;
  let inputs: { tools: string; data: string; evalData?: string };
  try {
    a = parse(argv);
    if (a.help) { console.log(USAGE); return 0; }
    if (a.tools || a.data) {
      if (!a.tools || !a.data) throw new UsageError('give both --tools and --data (and usually --eval-data)');
      inputs = { tools: a.tools, data: a.data, ...(a.evalData ? { evalData: a.evalData } : {}) };
    } else {
      const ws = sampleWorkspace();
      inputs = { tools: join(ws, 'tools.json'), data: join(ws, 'train.jsonl'), evalData: a.evalData ?? join(ws, 'eval.jsonl') };
    }
    cfg = resolveConfig({ preset: 'demo', name: a.quick ? 'demo-quick' : 'demo', model: 'demo', ...(a.quick ? QUICK : {}) },
      a.steps !== undefined ? { max_steps: a.steps } : {});
  } catch (e) {
    if (e instanceof UsageError) { console.error(`tooltune demo: ${e.message}\n${USAGE}`); return 2; }
    throw e;
  }
  // With --json, progress goes to stderr so the last stdout line is the result.
  const reporter = createReporter(a.json ? (process.stderr.isTTY ? 'tty' : 'plain') : reporterMode(undefined), a.json ? process.stderr : process.stdout);
  const stop = { requested: false };
  const handlers = installStopHandlers(stop, (m) => reporter({ type: 'log', level: 'info', message: m }));
  const t0 = Date.now();
  const outcome = await train({
    config: cfg, inputs, runsDir: resolve(a.out ?? join('.tooltune', 'runs')), reporter, stop, onEngine: handlers.setEngine,
    ...(a.python ? { python: a.python } : {}),
  }).finally(() => handlers.dispose());
  const seconds = (Date.now() - t0) / 1000;
  const before = summary(outcome.firstEval);
  const after = summary(outcome.lastEval);
  const out = a.json ? process.stderr : process.stdout;
  out.write(`\n${formatTable(before, after)}\n`);
  if (a.quick) out.write('(--quick: a pipeline check on little data and few steps; the numbers are not a result)\n');
  if (outcome.status === 'failed') console.error(`tooltune demo: ${outcome.error ?? 'failed'}`);
  if (a.json) {
    const asJson = (s: DemoSummary | null) => s && ({
      accuracy: s.accuracy, [`pass_at_${s.k}`]: s.pass_at_k, format_valid: s.format_valid, name_accuracy: s.name_accuracy,
      args_accuracy: s.args_accuracy, no_call_accuracy: s.no_call_accuracy, n: s.n,
    });
    console.log(JSON.stringify({ before: asJson(before), after: asJson(after), steps: outcome.steps, seconds: Math.round(seconds), run: outcome.runDir, status: outcome.status, quick: a.quick }));
  }
  return outcome.status === 'failed' ? 1 : 0;
}
