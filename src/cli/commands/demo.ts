// `tooltune demo`: the whole product on this machine, no downloads. With --nano it starts from ToolTune Nano, the
// pretrained model shipped in models/nano/ (preset `nano`; the default once Nano is learnable, DEMO_STARTS_FROM_NANO): a zero-shot evaluation of Nano on the eval split
// (`base`: greedy exact match, pass@8, format validity, tool names, arguments, call and no-call rows, learnability),
// an optional short SFT (only when --config asks for one), GRPO on the train rows — only when the start is learnable
// (call-row pass@8 ≥ 10%; otherwise GRPO is skipped with the reason) — an evaluation after GRPO, the ONNX export and
// a base / start / after table. `--from-scratch` (today's default) runs the earlier recipe instead (preset `demo`: a
// small model from random weights with the trimmed Qwen3 tokenizer, SFT warm start, GRPO), so the two can be compared.
// With --json the last stdout line is {"base", "before", "after", "skipped_grpo", "steps", "seconds", "run", ...}
// (fractions; "before" is GRPO's start, equal to "base" when no SFT ran; "after" is null when GRPO was skipped).
// --quick proves the pipeline in a few minutes and makes no accuracy claim.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, resolveConfig, type ConfigInput, type TrainConfig } from '../../train/config';
import { readConfigFile } from '../../train/configFile';
import { evalSummary } from '../../train/evaluation';
import type { EvalRecord } from '../../train/events';
import { train } from '../../train/loop';
import { createReporter } from '../../train/reporter';
import { installStopHandlers, reporterMode, UsageError } from './train';

const USAGE = `usage: tooltune demo [--tools T --data D --eval-data E] [--nano | --from-scratch] [--config C] [--json] [--quick] [--out DIR] [--steps N] [--python PATH]
  defaults to sample-workspace/ (tools.json, train.jsonl, eval.jsonl)
  --nano: start from ToolTune Nano (models/nano/): zero-shot eval, GRPO only from a learnable start
  --from-scratch (the default until Nano is learnable): random weights, SFT, then GRPO
  --config   training settings over the recipe's (JSON with comments), e.g. {"sft": {"steps": 150}} or {"reward": "binary"}`;

/** --quick: every stage runs, on little data and few steps (minutes, no accuracy claim). */
export const QUICK: ConfigInput = {
  max_steps: 4, max_minutes: 1, prompts_per_step: 2, num_generations: 4, save_steps: 0,
  sft: { steps: 30, batch_size: 4, max_minutes: 1.5, restarts: [] }, eval: { every: 0, max_rows: 16, pass_at_k: 4 },
};
/** --quick from Nano: the same, without an SFT the recipe does not run. */
const { sft: _quickSft, ...QUICK_NANO } = QUICK;

/** Which recipe `tooltune demo` runs without --nano / --from-scratch. Issue 11 makes Nano the demo's start once it
 *  is learnable; the Nano shipped on 2026-12-03 is not yet (zero-shot call-row pass@8 below the 10% gate, so the
 *  Nano demo skips GRPO: models/nano/README.md), so the demo still shows GRPO from the from-scratch recipe. Flip this
 *  when models/nano/ passes the gate on the sample workspace. */
export const DEMO_STARTS_FROM_NANO = false;

interface DemoArgs {
  tools?: string; data?: string; evalData?: string; json: boolean; quick: boolean; fromScratch: boolean; config?: string;
  out?: string; steps?: number; python?: string; help: boolean;
}

function parse(argv: string[]): DemoArgs {
  const a: DemoArgs = { json: false, quick: false, fromScratch: !DEMO_STARTS_FROM_NANO, help: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined || v.startsWith('--')) throw new UsageError(`${f} needs a value`); return v; };
    if (f === '--tools') a.tools = val();
    else if (f === '--data') a.data = val();
    else if (f === '--eval-data') a.evalData = val();
    else if (f === '--out') a.out = val();
    else if (f === '--python') a.python = val();
    else if (f === '--config') a.config = val();
    else if (f === '--steps') { const n = Number(val()); if (!Number.isInteger(n) || n < 0) throw new UsageError('--steps must be a non-negative integer'); a.steps = n; }
    else if (f === '--json') a.json = true;
    else if (f === '--quick') a.quick = true;
    else if (f === '--from-scratch') a.fromScratch = true;
    else if (f === '--nano') a.fromScratch = false;
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

/** The demo's config: the recipe (Nano or from scratch), --quick, the --config file's settings, then --steps. */
export function demoConfig(a: Pick<DemoArgs, 'fromScratch' | 'quick' | 'config' | 'steps'>): TrainConfig {
  const recipe: ConfigInput = a.fromScratch
    ? { preset: 'demo', name: a.quick ? 'demo-quick' : 'demo', model: 'demo', ...(a.quick ? QUICK : {}) }
    : { preset: 'nano', name: a.quick ? 'nano-quick' : 'nano', model: 'nano', ...(a.quick ? QUICK_NANO : {}) };
  const steps: ConfigInput = a.steps !== undefined ? { max_steps: a.steps } : {};
  if (!a.config) return resolveConfig(recipe, steps);
  // The file's settings override the recipe's; the recipe's preset and model stay (they are what the demo is), and
  // the file's tools/data entries are ignored (the demo's inputs are its flags or the sample workspace).
  const { preset, model, name, ...rest } = recipe;
  return readConfigFile(a.config, { preset, model, name, ...steps, ...(a.quick ? rest : {}) }).config;
}

export interface DemoSummary {
  accuracy: number; accuracy_se: number; pass_at_k: number | null; k: number; format_valid: number; name_accuracy: number;
  args_accuracy: number; no_call_accuracy: number; call_accuracy: number; call_pass_at_k: number | null;
  learnable_rows: number | null; pass_gap: number | null; n: number;
}

export function summary(r: EvalRecord | undefined): DemoSummary | null {
  if (!r) return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
  const opt = (v: unknown) => (typeof v === 'number' ? v : null);
  const acc = r['eval/accuracy'];
  return {
    accuracy: acc, accuracy_se: r.n > 0 ? Math.sqrt((acc * (1 - acc)) / r.n) : NaN, pass_at_k: r['eval/pass_at_k'] ?? null, k: num(r.k),
    format_valid: r['eval/format_valid'], name_accuracy: r['eval/name_accuracy'], args_accuracy: r['eval/args_accuracy'],
    no_call_accuracy: r['eval/no_call_accuracy'], call_accuracy: num(r['eval/call_accuracy']), call_pass_at_k: opt(r['eval/call_pass_at_k']),
    learnable_rows: opt(r['eval/learnable_rows']), pass_gap: opt(r['eval/pass_gap']), n: r.n,
  };
}

/** The base / GRPO start / after table (`before` is labelled "after SFT" when SFT ran). */
export function formatTable(base: DemoSummary | null, before: DemoSummary | null, after: DemoSummary | null, beforeLabel = 'after SFT'): string {
  const pct = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)}%`);
  const pts = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '—' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`);
  const cols = [base, before, after];
  const k = cols.find((c) => c && Number.isFinite(c.k))?.k;
  const kk = k ?? 'k';
  const rows: Array<[string, (s: DemoSummary | null) => string]> = [
    ['exact match (greedy)', (s) => pct(s?.accuracy)],
    ['  ± std. error', (s) => pct(s?.accuracy_se)],
    [`pass@${kk}`, (s) => pct(s?.pass_at_k)],
    ['format valid', (s) => pct(s?.format_valid)],
    ['tool names', (s) => pct(s?.name_accuracy)],
    ['arguments', (s) => pct(s?.args_accuracy)],
    ['no-call rows', (s) => pct(s?.no_call_accuracy)],
    ['call rows (greedy)', (s) => pct(s?.call_accuracy)],
    [`call rows pass@${kk}`, (s) => pct(s?.call_pass_at_k)],
    [`rows 1–${k ? k - 1 : 'k-1'} of ${kk} right`, (s) => pct(s?.learnable_rows)],
    [`pass@${kk} − greedy (pts)`, (s) => pts(s?.pass_gap)],
  ];
  const w = 13;
  const lines = [`${''.padEnd(24)}${'base'.padStart(w)}${beforeLabel.padStart(w)}${'after GRPO'.padStart(w)}`];
  for (const [label, cell] of rows) lines.push(`${label.padEnd(24)}${cols.map((c) => cell(c).padStart(w)).join('')}`);
  lines.push(`(eval rows: ${before?.n ?? base?.n ?? after?.n ?? 0})`);
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
    cfg = demoConfig(a);
  } catch (e) {
    if (e instanceof UsageError) { console.error(`tooltune demo: ${e.message}\n${USAGE}`); return 2; }
    if (e instanceof ConfigError) { console.error(`tooltune demo: ${e.message}`); return 2; }
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
  // GRPO skipped: there is no "after" (the final model is GRPO's start, already in "before").
  const afterRecord = outcome.skippedGrpo ? undefined : outcome.lastEval;
  const sftRan = !!outcome.baseEval && outcome.baseEval !== outcome.firstEval;
  const out = a.json ? process.stderr : process.stdout;
  // A run that failed before any evaluation (e.g. no models/nano/) has no table to show, only its error.
  if (outcome.baseEval || outcome.firstEval || afterRecord) {
    out.write(`\n${formatTable(summary(outcome.baseEval), summary(outcome.firstEval), summary(afterRecord), sftRan || a.fromScratch ? 'after SFT' : 'GRPO start')}\n`);
  }
  if (outcome.skippedGrpo) out.write(`GRPO skipped: ${outcome.skippedGrpo}\n`);
  if (a.quick) out.write('(--quick: a pipeline check on little data and few steps; the numbers are not a result)\n');
  if (outcome.status === 'failed') console.error(`tooltune demo: ${outcome.error ?? 'failed'}`);
  if (a.json) {
    const asJson = (r: EvalRecord | undefined) => (r ? evalSummary(r) : null);
    console.log(JSON.stringify({
      model: cfg.model, base: asJson(outcome.baseEval), before: asJson(outcome.firstEval), after: asJson(afterRecord),
      skipped_grpo: outcome.skippedGrpo ?? null, steps: outcome.steps, seconds: Math.round(seconds), run: outcome.runDir,
      status: outcome.status, quick: a.quick,
    }));
  }
  return outcome.status === 'failed' ? 1 : 0;
}

export const _private = { parse };
