// `tooltune test FILE.tooltest [FILE …] (--model FOLDER | --run RUN_DIR) [--backend ort|transformers] [--int8] [--json]`:
// runs the cases of .tooltest files (format: src/core/tooltest.ts) against an exported model, headless — the same
// verdicts as the editor's Test Explorer. Prints one line per case and a summary line; exit 1 when any case failed
// or errored, 2 for bad usage or a file that does not parse.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDiagnostic } from '../../core/source-location';
import { loadTools } from '../../core/tools';
import { CompletionEngine } from '../../infer/completion-engine';
import { runToolTestText, summaryLine, type CaseOutcome } from '../../infer/tooltest-runner';
import { NANO_MODEL, nanoModelDir } from '../../train/nanoModel';

export const USAGE = 'usage: tooltune test FILE.tooltest [FILE …] (--model FOLDER|nano | --run RUN_DIR) [--backend ort|transformers] [--int8] [--max-new-tokens 128] [--json]';

export function formatOutcome(o: CaseOutcome): string {
  const mark = { passed: '✓', failed: '✗', skipped: '-', errored: '!' }[o.status];
  const head = `${mark} ${o.case.name} (line ${o.case.line}, ${o.durationMs.toFixed(0)} ms)`;
  const lines = [head];
  for (const r of o.reasons) lines.push(`    ${r}`);
  if (o.status === 'failed' || o.status === 'skipped') lines.push(`    model wrote: ${JSON.stringify(o.output)}`);
  for (const e of o.invalid) lines.push(`    schema: ${e}`);
  return lines.join('\n');
}

export default async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
      model: { type: 'string' }, run: { type: 'string' }, backend: { type: 'string' }, int8: { type: 'boolean' },
      'max-new-tokens': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    } });
  } catch (e) {
    console.error(`tooltune test: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const a = parsed.values;
  if (a.help) { console.log(USAGE); return 0; }
  if (!parsed.positionals.length) { console.error(`tooltune test: no .tooltest file given\n${USAGE}`); return 2; }
  if (!!a.model === !!a.run) { console.error(`tooltune test: give exactly one of --model or --run\n${USAGE}`); return 2; }
  const backend = a.backend ?? 'ort';
  if (backend !== 'ort' && backend !== 'transformers') { console.error(`tooltune test: --backend must be ort or transformers`); return 2; }
  const maxNewTokens = a['max-new-tokens'] === undefined ? 128 : Number(a['max-new-tokens']);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) { console.error('tooltune test: --max-new-tokens must be a positive integer'); return 2; }
  let modelDir: string;
  try { modelDir = a.model === NANO_MODEL ? nanoModelDir() : a.model ? resolve(a.model) : join(resolve(a.run!), 'final'); } catch (e) {
    console.error(`tooltune test: ${(e as Error).message}`); return 2;
  }
  // Cases run on an ONNX export; the shipped Nano is weights only (export.ts keeps models/nano/ as built).
  if (a.model === NANO_MODEL && !existsSync(join(modelDir, 'onnx', 'model.onnx'))) {
    console.error('tooltune test: ToolTune Nano has no ONNX export in models/nano/; run `tooltune export --model nano --out DIR` once, then --model DIR');
    return 2;
  }

  const engine = new CompletionEngine();
  const all: CaseOutcome[] = [];
  const t0 = performance.now();
  let parseErrors = 0;
  const report: unknown[] = [];
  try {
    for (const f of parsed.positionals) {
      const path = resolve(f);
      let text: string;
      try { text = readFileSync(path, 'utf8'); } catch (e) { console.error(`tooltune test: cannot read ${path}: ${(e as Error).message}`); return 2; }
      const r = await runToolTestText(path, text, {
        loadTools,
        complete: (messages, tools) => engine.complete({ modelDir, messages, tools, backend, variant: a.int8 ? 'int8' : 'fp32', maxNewTokens }),
        onCase: (o) => { if (!a.json) console.log(formatOutcome(o)); },
      });
      for (const d of r.file.diagnostics) {
        if (d.severity === 'error') parseErrors++;
        console.error(formatDiagnostic(d));
      }
      all.push(...r.outcomes);
      report.push({ file: path, diagnostics: r.file.diagnostics, cases: r.outcomes.map((o) => ({
        name: o.case.name, line: o.case.line, status: o.status, reasons: o.reasons, output: o.output, invalid: o.invalid,
        expected: o.expected ? JSON.parse(o.expected) : null, actual: o.actual ? JSON.parse(o.actual) : null, ms: o.durationMs })) });
    }
  } finally {
    await engine.unload();
  }
  const summary = summaryLine(all, performance.now() - t0);
  if (a.json) console.log(JSON.stringify({ summary, files: report }));
  else console.log(summary);
  if (parseErrors) return 2;
  return all.some((o) => o.status === 'failed' || o.status === 'errored') ? 1 : 0;
}
