// `tooltune eval [--tools T] --data D (--predictions P | --model nano|FOLDER|HF-ID [--samples K] [--int8]) [--codec hermes]
// [--match exact|bfcl] [--json] [--show N]`: score model outputs against a dataset. P is JSONL, one `{"id": "<row
// id>", "output": "<raw model text>"}` per line. With --model the outputs are the model's greedy answers, the codec
// then following the model family: an exported folder (onnx/ inside, e.g. a run's final/) runs in-process in the
// inference engine of src/infer, no Python — what "ToolTune: Evaluate Model" runs. With --samples K, or a model without
// an ONNX export ("nano": ToolTune Nano in models/nano/, a Hugging Face folder or id), the Python engine answers, as
// in a training run's evaluation (src/train/evalModel.ts), and pass@K from K samples per row is reported beside greedy
// accuracy with the learnability of the start (rows with 1..K-1 of K right, pass@K − greedy, call rows apart).
// Prints a table (overall and per category) and the first N wrong rows with reasons; with --json, one JSON
// object with the figures and every row's verdict. Rows may carry their own tools, so --tools is optional.
// Exit 0 when the inputs were clean, 1 when any input problem was found (the figures are still printed), 2 for
// bad usage.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CODEC_NAMES, evaluate, formatDiagnostic, getCodec, isCodecName, loadDataset, loadTools, readJsonlLines,
  type CodecName, type DatasetRow, type Diagnostic, type EvalMetrics, type EvalReport, type MatchMode, type ToolDef,
} from '../../core/index';
import { CompletionEngine } from '../../infer/completion-engine';
import { evalSummary, describeLearnability, type EvalScores } from '../../train/evaluation';
import { evaluateModel } from '../../train/evalModel';
import { NANO_MODEL, nanoModelDir } from '../../train/nanoModel';
import type { Output } from './validate';

export const USAGE = `usage: tooltune eval [--tools tools.json] --data eval.jsonl (--predictions predictions.jsonl | --model nano|FOLDER|HF-ID [--samples K] [--temperature 1.0] [--seed 0] [--int8] [--max-new-tokens 256] [--python PATH]) [--codec ${CODEC_NAMES.join('|')}] [--match exact|bfcl] [--json] [--show N]
  --model     "nano" (ToolTune Nano, models/nano/), a model folder or a Hugging Face id: its greedy answers are scored
              (an exported folder with onnx/model.onnx runs in-process without Python; otherwise the engine answers)
  --samples   K samples per row at --temperature: pass@K beside greedy accuracy, and how learnable the model is
              (rows with 1..K-1 of K right, pass@K − greedy, call rows apart); uses the Python engine`;
const consoleOut: Output = { log: (s) => console.log(s), error: (s) => console.error(s) };

/** Read a predictions file: id → raw output text. Bad lines become diagnostics. */
export async function loadPredictions(file: string): Promise<{ outputs: Map<string, string>; diagnostics: Diagnostic[] }> {
  const outputs = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const err = (line: number, message: string, hint?: string) => diagnostics.push({ file, line, column: 1, severity: 'error', message, ...(hint ? { hint } : {}) });
  const HINT = 'write one {"id": "<row id>", "output": "<model text>"} per line';
  try {
    for await (const item of readJsonlLines(file)) {
      if (item.kind === 'bom') continue;
      if (item.kind === 'too-long') { err(item.line, `prediction is ${(item.bytes / 1048576).toFixed(1)} MB; the limit is 1 MB`); continue; }
      if (item.kind === 'bad-utf8') { err(item.line, 'invalid UTF-8', 're-save the file as UTF-8'); continue; }
      if (item.kind === 'utf16') { err(1, 'file is UTF-16 encoded, not UTF-8', 're-save it as UTF-8'); continue; }
      let v: unknown;
      try { v = JSON.parse(item.text); } catch { err(item.line, 'invalid JSON', HINT); continue; }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) { err(item.line, 'a prediction must be a JSON object', HINT); continue; }
      const o = v as Record<string, unknown>;
      const id = typeof o.id === 'number' ? String(o.id) : o.id;
      if (typeof id !== 'string' || id === '') { err(item.line, 'prediction has no "id" string', HINT); continue; }
      if (typeof o.output !== 'string') { err(item.line, `prediction "${id}" has no "output" string`, HINT); continue; }
      if (outputs.has(id)) { err(item.line, `duplicate prediction for id "${id}"`, 'keep one prediction per row'); continue; }
      outputs.set(id, o.output);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    err(1, code === 'ENOENT' ? 'predictions file not found' : `cannot read predictions (${code ?? String(e)})`, 'check the --predictions path');
  }
  return { outputs, diagnostics };
}

const pct = (x: number) => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)}%`);

export function formatTable(r: EvalReport): string {
  const head = ['', 'n', 'accuracy', 'names', 'args', 'format', 'no-call'];
  const line = (name: string, m: EvalMetrics) => [name, String(m.n), pct(m.accuracy), pct(m.name_accuracy), pct(m.args_accuracy), pct(m.format_valid), pct(m.no_call_accuracy)];
  const rows = [head, line('overall', r.overall), line('single', r.byCategory.single), line('parallel', r.byCategory.parallel), line('no_call', r.byCategory.no_call)];
  const widths = head.map((_, i) => Math.max(...rows.map((x) => x[i]!.length)));
  return rows.map((x) => x.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export async function evalCommand(argv: string[], out: Output = consoleOut): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: {
      tools: { type: 'string' }, data: { type: 'string' }, predictions: { type: 'string' }, codec: { type: 'string' },
      model: { type: 'string' }, int8: { type: 'boolean' }, 'max-new-tokens': { type: 'string' },
      samples: { type: 'string' }, temperature: { type: 'string' }, seed: { type: 'string' }, python: { type: 'string' },
      match: { type: 'string', default: 'exact' }, json: { type: 'boolean' }, show: { type: 'string', default: '10' }, help: { type: 'boolean', short: 'h' },
    }, strict: true, allowPositionals: false }).values;
  } catch (e) {
    out.error(`tooltune eval: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (args.help) { out.log(USAGE); return 0; }
  if (!args.data || !!args.predictions === !!args.model) { out.error(`tooltune eval: --data and one of --predictions or --model are required\n${USAGE}`); return 2; }
  if (args.codec !== undefined && !isCodecName(args.codec)) { out.error(`tooltune eval: unknown codec "${args.codec}"; use one of: ${CODEC_NAMES.join(', ')}`); return 2; }
  if (args.match !== 'exact' && args.match !== 'bfcl') { out.error(`tooltune eval: --match must be exact or bfcl, not "${args.match}"`); return 2; }
  const maxNewTokens = args['max-new-tokens'] === undefined ? 256 : Number(args['max-new-tokens']);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) { out.error('tooltune eval: --max-new-tokens must be a positive integer'); return 2; }
  const show = Number(args.show);
  if (!Number.isInteger(show) || show < 0) { out.error('tooltune eval: --show must be a non-negative integer'); return 2; }
  const samples = args.samples === undefined ? undefined : Number(args.samples);
  if (samples !== undefined && !(Number.isInteger(samples) && samples >= 1)) { out.error('tooltune eval: --samples must be a positive integer (e.g. 8)'); return 2; }
  const temperature = args.temperature === undefined ? 1.0 : Number(args.temperature);
  if (!(temperature > 0)) { out.error('tooltune eval: --temperature must be > 0 (pass@K samples; greedy answers are always at 0)'); return 2; }
  const seed = args.seed === undefined ? 0 : Number(args.seed);
  if (!Number.isInteger(seed) || seed < 0) { out.error('tooltune eval: --seed must be a non-negative integer'); return 2; }
  if ((samples !== undefined || args.temperature !== undefined) && !args.model) { out.error('tooltune eval: --samples and --temperature need --model'); return 2; }
  let engineModel = false;
  if (args.model) {
    engineModel = samples !== undefined || !exportedFolder(args.model);
    if (engineModel && args.int8) {
      out.error(`tooltune eval: --int8 scores an ONNX export (onnx/model_int8.onnx) greedily; ${samples !== undefined ? 'drop it with --samples' : `${args.model} has no ONNX export (run tooltune export --model ${args.model} --int8 first)`}`);
      return 2;
    }
  }

  const problems: Diagnostic[] = [];
  let tools: ToolDef[] | undefined;
  if (args.tools) {
    const t = await loadTools(args.tools);
    tools = t.tools;
    problems.push(...t.diagnostics);
  }
  const data = await loadDataset(args.data, { tools });
  problems.push(...data.diagnostics);
  let preds: { outputs: Map<string, string>; codec?: string };
  let sampled: { scores: EvalScores; samplesCorrect: Map<string, number>; folder: string } | undefined;
  if (args.predictions) {
    const p = await loadPredictions(args.predictions);
    problems.push(...p.diagnostics);
    preds = p;
    const known = new Set(data.rows.map((r) => r.id));
    for (const id of p.outputs.keys()) {
      if (!known.has(id)) problems.push({ file: args.predictions, line: 1, column: 1, severity: 'warning', message: `prediction for unknown row id "${id}" was ignored` });
    }
  } else if (!data.rows.length) {
    preds = { outputs: new Map() }; // nothing to answer: the problems and "no valid rows" are reported below
  } else if (engineModel) {
    try {
      const progress = progressLine(args.json ? () => {} : out.error);
      const r = await evaluateModel(args.model!, data.rows, {
        samples: samples ?? 0, temperature, seed, maxNewTokens, match: args.match as MatchMode, python: args.python,
        codec: (args.codec as CodecName | undefined) ?? null, onProgress: progress, log: args.json ? undefined : out.error,
      });
      preds = { outputs: new Map(r.answers.map((x) => [x.row_id, x.completion])), codec: r.codec };
      sampled = { scores: r.scores, folder: r.folder,
        samplesCorrect: new Map(r.answers.filter((x) => x.samples_correct !== undefined).map((x) => [x.row_id, x.samples_correct!])) };
    } catch (e) {
      out.error(`tooltune eval: ${args.model}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  } else {
    try {
      preds = await modelPredictions(modelFolder(args.model!), data.rows, args.int8 ? 'int8' : 'fp32', maxNewTokens, args.json ? () => {} : out.error);
    } catch (e) {
      out.error(`tooltune eval: ${args.model}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  }
  const errors = problems.filter((d) => d.severity === 'error').length;
  for (const d of problems.slice(0, 50)) out.error(formatDiagnostic(d));
  if (problems.length > 50) out.error(`… ${problems.length - 50} more problems`);
  if (data.rows.length === 0) { out.error(`tooltune eval: no valid rows in ${args.data}`); return 1; }

  const codec = args.codec ?? preds.codec ?? 'hermes';
  if (!isCodecName(codec)) { out.error(`tooltune eval: the model's codec "${codec}" is unknown; give --codec`); return 2; }
  const report = evaluate(data.rows, (row) => preds.outputs.get(row.id), getCodec(codec), args.match as MatchMode);
  if (args.json) {
    out.log(JSON.stringify({
      ...(sampled ? { model: sampled.folder, ...evalSummary(sampled.scores) } : {}),
      codec: report.codec, match: report.match, overall: report.overall, by_category: report.byCategory, missing: report.missing,
      rows: report.verdicts.map((v) => ({ id: v.id, category: v.category, correct: v.correct, format_valid: v.format_valid, reasons: v.reasons,
        ...(sampled?.samplesCorrect.has(v.id) ? { samples_correct: sampled.samplesCorrect.get(v.id) } : {}) })),
    }));
  } else {
    out.log(`${args.data}: ${report.overall.n} rows, codec ${report.codec}, match ${report.match}${report.missing.length ? `, ${report.missing.length} without a prediction` : ''}`);
    out.log(formatTable(report));
    if (sampled) for (const line of sampledLines(sampled.scores, temperature)) out.log(line);
    const wrong = report.verdicts.filter((v) => !v.correct);
    if (wrong.length && show) {
      out.log(`\nwrong rows (${wrong.length}${wrong.length > show ? `, first ${show}` : ''}):`);
      for (const v of wrong.slice(0, show)) out.log(`  ${v.id} [${v.category}]: ${v.reasons.join('; ') || 'wrong'}`);
    }
  }
  return errors ? 1 : 0;
}

/** Does --model name a folder with an ONNX export (run in-process), rather than "nano", a bare HF folder or an id? */
function exportedFolder(spec: string): boolean {
  return spec !== NANO_MODEL && existsSync(join(resolve(spec), 'onnx', 'model.onnx'));
}

/** The folder an exported --model names ("nano" is the shipped Nano). */
function modelFolder(spec: string): string { return spec === NANO_MODEL ? nanoModelDir() : spec; }

/** Progress in tenths (the engine answers in batches). */
function progressLine(progress: (s: string) => void): (done: number, total: number) => void {
  let shown = -1;
  const t0 = performance.now();
  return (done, total) => {
    const tenth = Math.floor((10 * done) / total);
    if (tenth === shown) return;
    shown = tenth;
    progress(`evaluated ${done}/${total} (greedy, then samples; ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  };
}

/** The text report's pass@K and learnability lines. */
export function sampledLines(s: EvalScores, temperature: number): string[] {
  const k = s.k;
  if (!k || s['eval/pass_at_k'] === undefined) return [];
  const se = Math.sqrt((s['eval/accuracy'] * (1 - s['eval/accuracy'])) / s.n);
  return [
    `\npass@${k} (${k} samples per row at temperature ${temperature}, ${s.pass_at_k_n} rows): ${pct(s['eval/pass_at_k'])}; greedy ${pct(s['eval/accuracy'])} ± ${pct(se)} (std. error)`,
    describeLearnability(s) ?? '',
  ].filter(Boolean);
}

/** The exported model's greedy answer to every row (its own tools), and the codec its family writes. */
async function modelPredictions(model: string, rows: readonly DatasetRow[], variant: 'fp32' | 'int8', maxNewTokens: number,
  progress: (s: string) => void): Promise<{ outputs: Map<string, string>; codec: string }> {
  const engine = new CompletionEngine();
  const outputs = new Map<string, string>();
  let codec = 'hermes';
  const t0 = performance.now();
  try {
    for (const [i, row] of rows.entries()) {
      const r = await engine.complete({ modelDir: model, messages: row.messages, tools: row.tools, backend: 'ort', variant, maxNewTokens });
      outputs.set(row.id, r.text);
      codec = r.codec;
      if ((i + 1) % 50 === 0 || i + 1 === rows.length) progress(`generated ${i + 1}/${rows.length} answers (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await engine.unload();
  }
  return { outputs, codec };
}

export default function run(argv: string[]): Promise<number> {
  return evalCommand(argv);
}
