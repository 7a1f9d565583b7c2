// `tooltune validate [--tools T] --data D [--data D2 …] [--json]`: check a tools file and datasets; prints every
// problem as `file:line:col: error: …` (the form editors and CI annotate), then a one-line summary per file.
// Exit 0 when there are no errors (warnings allowed), 1 when there are, 2 for bad usage.
import { parseArgs } from 'node:util';
import { formatDiagnostic, loadDataset, loadTools, type Diagnostic, type ToolDef } from '../../core/index';

export const USAGE = 'usage: tooltune validate [--tools tools.json] --data data.jsonl [--data more.jsonl …] [--json] [--max-problems N]';

/** Where a command writes; tests pass a collector. */
export interface Output { log(s: string): void; error(s: string): void }
const consoleOut: Output = { log: (s) => console.log(s), error: (s) => console.error(s) };

const REPEATS_SHOWN = 5;

export interface FileSummary { file: string; kept?: number; skipped?: number; tools?: number; errors: number; warnings: number }

export async function validateCommand(argv: string[], out: Output = consoleOut): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: {
      tools: { type: 'string' }, data: { type: 'string', multiple: true }, json: { type: 'boolean' },
      'max-problems': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    }, strict: true, allowPositionals: false }).values;
  } catch (e) {
    out.error(`tooltune validate: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (args.help) { out.log(USAGE); return 0; }
  if (!args.tools && !args.data?.length) { out.error(`tooltune validate: nothing to check\n${USAGE}`); return 2; }
  const maxProblems = args['max-problems'] === undefined ? 200 : Number(args['max-problems']);
  if (!Number.isInteger(maxProblems) || maxProblems < 0) { out.error(`tooltune validate: --max-problems must be a non-negative integer`); return 2; }

  const all: Diagnostic[] = [];
  const summaries: FileSummary[] = [];
  const count = (ds: Diagnostic[]) => ({ errors: ds.filter((d) => d.severity === 'error').length, warnings: ds.filter((d) => d.severity === 'warning').length });
  let tools: ToolDef[] | undefined;
  if (args.tools) {
    const t = await loadTools(args.tools);
    tools = t.tools;
    all.push(...t.diagnostics);
    summaries.push({ file: args.tools, tools: t.tools.length, ...count(t.diagnostics) });
  }
  for (const file of args.data ?? []) {
    const d = await loadDataset(file, { tools, collect: false });
    all.push(...d.diagnostics);
    summaries.push({ file, kept: d.kept, skipped: d.skipped, ...count(d.diagnostics) });
  }
  const errors = all.filter((d) => d.severity === 'error').length;
  if (args.json) {
    out.log(JSON.stringify({ ok: errors === 0, files: summaries, diagnostics: all }));
  } else {
    // The same mistake on every row (say, no tools file for rows without tools) is shown a few times, then counted.
    const seen = new Map<string, number>();
    let shown = 0;
    for (const d of all) {
      const n = (seen.get(d.message) ?? 0) + 1;
      seen.set(d.message, n);
      if (n > REPEATS_SHOWN || shown >= maxProblems) continue;
      out.log(formatDiagnostic(d));
      shown++;
    }
    for (const [message, n] of seen) if (n > REPEATS_SHOWN) out.log(`… ${n - REPEATS_SHOWN} more like: ${message}`);
    if (shown < all.length && all.length - shown > [...seen.values()].reduce((a, n) => a + Math.max(0, n - REPEATS_SHOWN), 0)) {
      out.log(`… more problems not shown (raise --max-problems to see them)`);
    }
    for (const s of summaries) {
      const what = s.tools !== undefined ? `${s.tools} tools` : `${s.kept} rows kept, ${s.skipped} skipped`;
      out.log(`${s.file}: ${what}; ${s.errors} errors, ${s.warnings} warnings`);
    }
  }
  return errors ? 1 : 0;
}

export default function run(argv: string[]): Promise<number> {
  return validateCommand(argv);
}
