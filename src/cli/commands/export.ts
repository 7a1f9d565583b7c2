// `tooltune export (--run RUN_DIR | --model FOLDER) [--out DIR] [--python P] [--opset 17] [--no-verify] [--json]`:
// the merged model as `onnx/model.onnx` in the layout transformers.js loads, with config.json,
// generation_config.json and the tokenizer files beside it, so the folder is self-contained for inline use.
// After exporting, the engine's logits and the ONNX graph's logits are compared on a probe sequence (parity check):
// an export that does not compute what the engine computes is reported as a failure, not shipped silently.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EngineClient, findEngineDir } from '../../engine/client';
import { PROTOCOL_VERSION } from '../../engine/protocol';
import { defaultCandidates, formatPreflight, preflight } from '../../engine/python';
import { loadTokenizer } from '../../core/tokenizer';
import { readModelFolder } from '../../infer/model-folder';
import { compareLogits, onnxLastLogits } from '../../infer/parity';
import { NANO_MODEL, nanoModelDir } from '../../train/nanoModel';

export const USAGE = 'usage: tooltune export (--run RUN_DIR | --model FOLDER|nano) [--out DIR] [--int8] [--python PATH] [--opset 17] [--no-verify] [--json]\n' +
  '  --model nano   ToolTune Nano (models/nano/); needs --out, so the shipped folder stays as built\n' +
  '  --int8   also write onnx/model_int8.onnx: the output head in int8 (faster CPU decoding; measured by `tooltune bench inline`)';

/** Files a model folder carries for tokenisation and chat templates (copied when --out is another folder). */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'chat_template.jinja',
  'vocab.json', 'merges.txt', 'added_tokens.json'];
/** Logits may differ by float rounding only (ARCHITECTURE.md parity target). */
export const PARITY_TOLERANCE = 1e-4;
const PROBE_TEXT = 'What is the weather in Paris today? {"name": "get_weather", "arguments": {"city": "Paris"}}';

export interface ExportOutcome {
  path: string; bytes: number; seconds: number; out: string;
  parity?: { maxAbsDiff: number; sameArgmax: boolean };
  int8?: { path: string; bytes: number; parity?: { maxAbsDiff: number; sameArgmax: boolean } };
}

/** The int8 variant, written by the engine module's own entry point (the JSON-RPC export writes fp32). */
export function exportInt8(python: string, model: string, out: string, opset: number): { path: string; bytes: number } {
  const engineDir = findEngineDir();
  if (!engineDir) throw new Error('cannot find the engine folder (engine/tooltune_engine); run from the ToolTune folder');
  const r = spawnSync(python, ['-m', 'tooltune_engine.onnx_export', model, out, '--opset', String(opset), '--variant', 'int8'], {
    encoding: 'utf8', cwd: engineDir, env: { ...process.env, PYTHONPATH: engineDir },
  });
  if (r.status !== 0) throw new Error(`int8 export failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join('\n')}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as { path: string; bytes: number };
  return { path: res.path, bytes: res.bytes };
}

/** The model folder a --run or --model argument names, checked (throws with the fix). */
export function resolveModelFolder(args: { run?: string; model?: string }): string {
  if (!!args.run === !!args.model) throw new Error(`give exactly one of --run or --model\n${USAGE}`);
  const dir = args.run ? join(resolve(args.run), 'final') : resolve(args.model === NANO_MODEL ? nanoModelDir() : args.model!);
  if (!existsSync(join(dir, 'config.json'))) {
    throw new Error(args.run
      ? `${dir}: no final model in this run (config.json missing); the run has not finished — export a checkpoint with --model ${join(resolve(args.run), 'checkpoints', 'step-N')} or wait for the run to end`
      : `${dir}: config.json not found; --model needs a Hugging Face model folder (config.json + model.safetensors)`);
  }
  if (!existsSync(join(dir, 'model.safetensors')) && !existsSync(join(dir, 'model.safetensors.index.json'))) {
    throw new Error(`${dir}: no model.safetensors (or model.safetensors.index.json); ToolTune reads safetensors weights only`);
  }
  return dir;
}

export async function exportModel(opts: { model: string; out: string; python: string; opset?: number; verify?: boolean; int8?: boolean; log?: (s: string) => void }): Promise<ExportOutcome> {
  const log = opts.log ?? (() => {});
  const engine = EngineClient.start({ python: opts.python, onLog: (n) => log(`[engine] ${n.message}`) });
  try {
    await engine.request('initialize', { protocol_version: PROTOCOL_VERSION, device: 'cpu', dtype: 'float32' });
    await engine.request('load_model', { path: opts.model });
    const r = await engine.request('export_onnx', { out: opts.out, opset: opts.opset ?? 17 });
    if (resolve(opts.out) !== resolve(opts.model)) {
      for (const f of TOKENIZER_FILES) if (existsSync(join(opts.model, f))) copyFileSync(join(opts.model, f), join(opts.out, f));
    }
    const outcome: ExportOutcome = { path: r.path, bytes: statSync(r.path).size, seconds: r.seconds, out: resolve(opts.out) };
    if (opts.verify !== false) {
      let ids = [0, 1, 2, 3, 4, 5, 6, 7];
      try { ids = loadTokenizer(opts.out, { requireChatTemplate: false }).encode(PROBE_TEXT); } catch { /* no tokenizer: raw ids */ }
      const engineLogits = (await engine.request('logits', { input_ids: [ids] })).logits[0]!;
      const p = compareLogits(await onnxLastLogits(readModelFolder(opts.out), ids), engineLogits);
      outcome.parity = { maxAbsDiff: p.maxAbsDiff, sameArgmax: p.sameArgmax };
      if (opts.int8) {
        outcome.int8 = exportInt8(opts.python, opts.model, opts.out, opts.opset ?? 17);
        const q = compareLogits(await onnxLastLogits(readModelFolder(opts.out, 'int8'), ids), engineLogits);
        outcome.int8.parity = { maxAbsDiff: q.maxAbsDiff, sameArgmax: q.sameArgmax };
      }
    } else if (opts.int8) {
      outcome.int8 = exportInt8(opts.python, opts.model, opts.out, opts.opset ?? 17);
    }
    return outcome;
  } finally {
    await engine.dispose();
  }
}

export default async function run(argv: string[]): Promise<number> {
  let a;
  try {
    a = parseArgs({ args: argv, options: {
      run: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' }, python: { type: 'string' },
      opset: { type: 'string' }, 'no-verify': { type: 'boolean' }, int8: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    }, strict: true }).values;
  } catch (e) {
    console.error(`tooltune export: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (a.help) { console.log(USAGE); return 0; }
  let model: string;
  try { model = resolveModelFolder(a); } catch (e) { console.error(`tooltune export: ${(e as Error).message}`); return 2; }
  const opset = a.opset === undefined ? 17 : Number(a.opset);
  if (!Number.isInteger(opset)) { console.error('tooltune export: --opset must be an integer (default 17)'); return 2; }
  const pre = await preflight(defaultCandidates(a.python));
  if (!pre.ok || !pre.python) { console.error(formatPreflight(pre)); return 1; }
  if (a.model === NANO_MODEL && !a.out) { console.error('tooltune export: --model nano needs --out DIR: the shipped models/nano/ stays as it was built (and within its size limit)'); return 2; }
  const out = a.out ? resolve(a.out) : model;
  const outcome = await exportModel({ model, out, python: pre.python, opset, verify: !a['no-verify'], int8: a.int8,
    log: a.json ? undefined : (s) => console.error(s) });
  const bad = outcome.parity !== undefined && (!(outcome.parity.maxAbsDiff <= PARITY_TOLERANCE) || !outcome.parity.sameArgmax);
  if (a.json) console.log(JSON.stringify({ ok: !bad, ...outcome }));
  else {
    console.log(`exported ${outcome.path} (${(outcome.bytes / 2 ** 20).toFixed(1)} MiB) in ${outcome.seconds.toFixed(1)} s`);
    if (outcome.parity) {
      console.log(`parity: max |logit difference| ${outcome.parity.maxAbsDiff.toExponential(2)} (limit ${PARITY_TOLERANCE}), ` +
        `same top token: ${outcome.parity.sameArgmax ? 'yes' : 'no'}`);
    }
    if (outcome.int8) {
      console.log(`exported ${outcome.int8.path} (${(outcome.int8.bytes / 2 ** 20).toFixed(1)} MiB, int8 head)` + (outcome.int8.parity
        ? `; max |logit difference| ${outcome.int8.parity.maxAbsDiff.toExponential(2)} (quantisation), same top token: ${outcome.int8.parity.sameArgmax ? 'yes' : 'no'}` : ''));
    }
    if (bad) console.error('tooltune export: the ONNX graph does not reproduce the engine\'s logits; please report this with the model\'s config.json');
  }
  return bad ? 1 : 0;
}
