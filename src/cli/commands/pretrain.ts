// `tooltune pretrain`: builds ToolTune Nano (issue 11) — or continues building it. Generated rows from random tool
// domains through the engine's SFT path; resumable (run the same command again: it continues from the newest
// checkpoint of --out, with the same row stream); a loss curve (metrics.jsonl) and a copy/name probe (probe.jsonl)
// in the run folder. `--ship DIR` writes the final weights, tokenizer and recipe to DIR (models/nano/).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeNanoCard } from '../../train/nano/card';
import { pretrain, streamFingerprint } from '../../train/nano/pretrain';
import { NANO_LARGE_SHAPE, type PretrainRecipe } from '../../train/nano/pretrainRecipe';
import { UsageError } from './train';

const USAGE = `usage: tooltune pretrain [--out DIR] [--minutes M] [--steps N] [--seed S] [--threads T] [--python PATH] [--ship DIR]
  --out      the pretraining run folder (default .tooltune/nano-pretrain); resumed when it holds a checkpoint
  --minutes  wall-clock budget of this part (default 60; 0 = no limit)
  --steps    stop at this total step (default: the recipe's length)
  --size     base (default, the CPU-sized Nano) or large (for a GPU: scripts/nano-gpu.sh); only when the run starts
  --batch    rows per step (default 16; a GPU wants 128 or more); only when the run starts
  --ship     copy the final model (config, bf16 safetensors, tokenizer, chat template), the run's curves and the
             model card into this folder, e.g. models/nano
  --card DIR only rewrite the model card of a shipped folder (after adding zero-shot results to DIR/pretraining/zero-shot/)`;

interface Args { out: string; minutes: number; steps?: number; seed: number; threads?: number; python?: string; ship?: string; card?: string; batch?: number; size?: 'base' | 'large'; help: boolean }

function parse(argv: string[]): Args {
  const a: Args = { out: join('.tooltune', 'nano-pretrain'), minutes: 60, seed: 1, help: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined || v.startsWith('--')) throw new UsageError(`${f} needs a value`); return v; };
    const int = (min: number) => { const n = Number(val()); if (!Number.isInteger(n) || n < min) throw new UsageError(`${f} must be an integer ≥ ${min}`); return n; };
    if (f === '--out') a.out = val();
    else if (f === '--minutes') { const n = Number(val()); if (!(n >= 0)) throw new UsageError('--minutes must be ≥ 0'); a.minutes = n; }
    else if (f === '--steps') a.steps = int(1);
    else if (f === '--seed') a.seed = int(0);
    else if (f === '--threads') a.threads = int(1);
    else if (f === '--batch') a.batch = int(1);
    else if (f === '--python') a.python = val();
    else if (f === '--ship') a.ship = val();
    else if (f === '--card') a.card = val();
    else if (f === '--size') { const v = val(); if (v !== 'base' && v !== 'large') throw new UsageError('--size must be base or large'); a.size = v; }
    else if (f === '--help' || f === '-h') a.help = true;
    else throw new UsageError(`unknown option "${f}"`);
  }
  return a;
}

export default async function run(argv: string[]): Promise<number> {
  let a: Args;
  try { a = parse(argv); } catch (e) {
    if (e instanceof UsageError) { console.error(`tooltune pretrain: ${e.message}\n${USAGE}`); return 2; }
    throw e;
  }
  if (a.help) { console.log(USAGE); return 0; }
  if (a.card) {
    writeNanoCard(resolve(a.card));
    console.log(`model card written: ${join(resolve(a.card), 'README.md')}`);
    return 0;
  }
  const stop = { requested: false };
  const onSignal = () => {
    if (stop.requested) process.exit(130);
    stop.requested = true;
    console.error('tooltune pretrain: stopping after this step (checkpoint first); Ctrl-C again to quit at once');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  let ema = NaN;
  const out = await pretrain({
    out: a.out, seed: a.seed, minutes: a.minutes, maxSteps: a.steps, python: a.python, threads: a.threads, stop,
    ...(a.batch ? { recipe: { batchSize: a.batch } } : {}),
    ...(a.size === 'large' ? { shape: NANO_LARGE_SHAPE } : {}),
    log: (m) => console.error(`${tty ? '\r\x1b[K' : ''}${m}`),
    onStep: (s) => {
      ema = Number.isNaN(ema) ? s.loss : 0.95 * ema + 0.05 * s.loss;
      const line = `step ${s.step}/${s.total}  loss ${ema.toFixed(4)}  ${(s.tokens / 1e6).toFixed(2)}M tokens  ${s.rows} rows  ${(s.seconds / 60).toFixed(1)} min`;
      if (tty) process.stderr.write(`\r\x1b[K${line}`);
      else if (Date.now() - lastLine > 30_000) { console.error(line); lastLine = Date.now(); }
    },
  }).finally(() => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); });
  if (tty) process.stderr.write('\n');
  console.log(`pretrained to step ${out.step}: ${(out.tokens / 1e6).toFixed(2)}M tokens, ${out.rows} rows, ${(out.seconds / 3600).toFixed(2)} h; final weights ${out.finalDir}`);
  if (a.ship) {
    const dest = resolve(a.ship);
    mkdirSync(dest, { recursive: true });
    // Zero-shot results of earlier weights no longer describe these.
    rmSync(join(dest, 'pretraining', 'zero-shot'), { recursive: true, force: true });
    cpSync(out.finalDir, dest, { recursive: true });
    for (const f of ['recipe.json', 'metrics.jsonl', 'probe.jsonl']) if (existsSync(join(resolve(a.out), f))) cpSync(join(resolve(a.out), f), join(dest, 'pretraining', f));
    // The command that rebuilds exactly these weights: the row stream and the schedule depend on (seed, step) only.
    const command = `npm run build && node dist/cli.js pretrain --out ${a.out} --minutes 0 --steps ${out.step} --seed ${a.seed} --threads ${a.threads ?? 1} --ship ${a.ship}`;
    const recipe = JSON.parse(readFileSync(join(resolve(a.out), 'recipe.json'), 'utf8')).recipe as PretrainRecipe;
    writeFileSync(join(dest, 'pretraining', 'summary.json'), JSON.stringify({ step: out.step, tokens: out.tokens, rows: out.rows,
      seconds: Math.round(out.seconds), seed: a.seed, command, stream_sha256: streamFingerprint(a.seed, recipe), probe: out.lastProbe }, null, 2) + '\n');
    writeNanoCard(dest);
    console.log(`shipped to ${dest} (model card: ${join(dest, 'README.md')})`);
  }
  return 0;
}
