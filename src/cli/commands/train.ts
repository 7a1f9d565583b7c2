// `tooltune train`: GRPO-train a model on a tools file and a dataset (src/train/loop.ts does the work).
// Ctrl-C (SIGINT) finishes the current step, checkpoints and exits 0 (resume with --resume); a second Ctrl-C or
// SIGTERM stops at once (the engine is killed; the last checkpoint stays resumable).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, PRESETS, resolveConfig, type ConfigInput, type PresetName, type TrainConfig } from '../../train/config';
import { readConfigFile } from '../../train/configFile';
import { train, type TrainOutcome, type TrainRequest } from '../../train/loop';
import { createReporter, type ReporterMode } from '../../train/reporter';
import type { EngineClient } from '../../engine/client';

export const TRAIN_USAGE = `usage: tooltune train --tools T --data D [--eval-data E] --model <folder|hf-id|nano|demo>
                      [--preset ${PRESETS.join('|')}] [--config C] [--out DIR] [--name NAME]
                      [--steps N] [--seed N] [--events jsonl] [--resume RUN_DIR] [--python PATH]
  --config   a config file (JSON with comments); default .tooltune/config.json when it exists; its tools,
             data and eval_data (paths relative to the workspace folder) stand in for missing flags
  --out      folder receiving run folders (default .tooltune/runs)
  --events   jsonl: one JSON event per stdout line (for the VS Code extension)
  --resume   continue a run folder from its last checkpoint
  --model    nano: ToolTune Nano, the pretrained model in models/nano/ (preset nano: GRPO without SFT);
             demo: a small model from random weights (preset demo: SFT first)`;

export interface TrainArgs {
  tools?: string; data?: string; evalData?: string; model?: string; preset?: PresetName; config?: string; out?: string;
  name?: string; steps?: number; seed?: number; events?: 'jsonl'; resume?: string; python?: string; help?: boolean;
}

export class UsageError extends Error {}

export function parseTrainArgs(argv: string[]): TrainArgs {
  const a: TrainArgs = {};
  const take = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const int = (v: string, flag: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a non-negative integer, got "${v}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    switch (f) {
      case '--tools': a.tools = take(i++, f); break;
      case '--data': a.data = take(i++, f); break;
      case '--eval-data': a.evalData = take(i++, f); break;
      case '--model': a.model = take(i++, f); break;
      case '--preset': {
        const p = take(i++, f);
        if (!PRESETS.includes(p as PresetName)) throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}, got "${p}"`);
        a.preset = p as PresetName; break;
      }
      case '--config': a.config = take(i++, f); break;
      case '--out': a.out = take(i++, f); break;
      case '--name': a.name = take(i++, f); break;
      case '--steps': a.steps = int(take(i++, f), f); break;
      case '--seed': a.seed = int(take(i++, f), f); break;
      case '--events': {
        const v = take(i++, f);
        if (v !== 'jsonl') throw new UsageError(`--events supports only "jsonl", got "${v}"`);
        a.events = 'jsonl'; break;
      }
      case '--resume': a.resume = take(i++, f); break;
      case '--python': a.python = take(i++, f); break;
      case '--help': case '-h': a.help = true; break;
      default: throw new UsageError(`unknown option "${f}"`);
    }
  }
  return a;
}

function configFileOf(a: TrainArgs, cwd: string): string | undefined {
  return a.config ?? (existsSync(join(cwd, '.tooltune', 'config.json')) ? join(cwd, '.tooltune', 'config.json') : undefined);
}

/** The config from --config (or .tooltune/config.json), the preset and the command-line overrides. Read once, the
 *  same file also stands in for --tools / --data / --eval-data when they are not given (the extension's Train
 *  command saves them there; flags win). `eval_split` is the extension's (it writes the split files). */
export function configFromArgs(a: TrainArgs, cwd = process.cwd()): TrainConfig {
  const overrides: ConfigInput = {};
  if (a.preset) overrides.preset = a.preset;
  if (a.model) overrides.model = a.model;
  if (a.name) overrides.name = a.name;
  if (a.steps !== undefined) overrides.max_steps = a.steps;
  if (a.seed !== undefined) overrides.seed = a.seed;
  const file = configFileOf(a, cwd);
  if (!file) return resolveConfig({}, overrides);
  const { config, inputs } = readConfigFile(file, overrides);
  if (!a.resume) {
    a.tools ??= inputs.tools;
    a.data ??= inputs.data;
    if (inputs.eval_data) a.evalData ??= inputs.eval_data;
    else if (inputs.eval_split !== undefined && !a.evalData) {
      console.error(`tooltune train: ${file}: eval_split is applied by the VS Code extension; the CLI evaluates on --eval-data (none given: no evaluation)`);
    }
  }
  return config;
}

/** Ctrl-C handling shared by train and demo: first SIGINT stops after the step, a second (or SIGTERM) at once. */
export function installStopHandlers(stop: TrainRequest['stop'], log: (m: string) => void): { setEngine: (e: EngineClient) => void; dispose: () => void } {
  let engine: EngineClient | null = null;
  let count = 0;
  const onInt = () => {
    count++;
    if (count === 1) { stop.requested = true; log('stopping after the current step (Ctrl-C again to stop at once)'); return; }
    engine?.kill('SIGKILL');
    process.exit(130);
  };
  const onTerm = () => { stop.requested = true; engine?.kill('SIGKILL'); setTimeout(() => process.exit(143), 2000).unref(); };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return { setEngine: (e) => { engine = e; }, dispose: () => { process.off('SIGINT', onInt); process.off('SIGTERM', onTerm); } };
}

export function reporterMode(events: 'jsonl' | undefined): ReporterMode {
  return events === 'jsonl' ? 'jsonl' : process.stdout.isTTY ? 'tty' : 'plain';
}

export default async function run(argv: string[]): Promise<number> {
  let a: TrainArgs;
  let cfg: TrainConfig;
  try {
    a = parseTrainArgs(argv);
    if (a.help) { console.log(TRAIN_USAGE); return 0; }
    cfg = configFromArgs(a);
    if (!a.resume) {
      const missing = (['tools', 'data'] as const).filter((k) => !a[k]);
      if (missing.length) throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(' and ')}`);
    }
  } catch (e) {
    if (e instanceof UsageError) { console.error(`tooltune train: ${e.message}\n${TRAIN_USAGE}`); return 2; }
    if (e instanceof ConfigError) { console.error(`tooltune train: ${e.message}`); return 2; }
    throw e;
  }
  const reporter = createReporter(reporterMode(a.events));
  const stop = { requested: false };
  const handlers = installStopHandlers(stop, (m) => reporter({ type: 'log', level: 'info', message: m }));
  let outcome: TrainOutcome;
  try {
    outcome = await train({
      config: cfg, inputs: { tools: a.tools ?? '', data: a.data ?? '', ...(a.evalData ? { evalData: a.evalData } : {}) },
      runsDir: resolve(a.out ?? join('.tooltune', 'runs')), ...(a.resume ? { resumeDir: a.resume, ...(a.steps !== undefined ? { resumeMaxSteps: a.steps } : {}) } : {}),
      ...(a.python ? { python: a.python } : {}), reporter, stop, onEngine: handlers.setEngine,
    });
  } finally { handlers.dispose(); }
  if (outcome.status === 'failed' && a.events !== 'jsonl') console.error(`tooltune train: ${outcome.error ?? 'failed'}`);
  return outcome.status === 'failed' ? 1 : 0;
}
