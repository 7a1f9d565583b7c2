// `tooltune synth --tools T --rows N --out F [--seed S] [--force]`: a starter dataset for the user's own tools, made
// by the procedural generator of ToolTune Nano's corpus (src/core/synth/starter.ts) from the tools' names,
// descriptions, types, enums and patterns. Rows carry no per-row tools (T applies). What is written is checked with
// the dataset loader before it replaces anything: F.tmp first, validated, then renamed into place. An existing F is
// kept unless --force. Exit 0 when written, 1 when nothing could be (tools errors, every tool skipped, F exists),
// 2 for bad usage.
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset, rowCategory } from '../../core/dataset';
import { formatDiagnostic } from '../../core/source-location';
import { rowsForTools } from '../../core/synth/index';
import { loadTools } from '../../core/tools';
import type { Output } from './validate';

export const USAGE = `usage: tooltune synth --tools tools.json --rows N --out data.jsonl [--seed S] [--force]
  --rows   how many rows to write (1–100000)
  --seed   the generator's seed (default 1): the same tools and seed give the same file
  --force  overwrite --out when it exists`;

const MAX_ROWS = 100_000;
const consoleOut: Output = { log: (s) => console.log(s), error: (s) => console.error(s) };

export async function synthCommand(argv: string[], out: Output = consoleOut): Promise<number> {
  const usage = (m: string) => { out.error(`tooltune synth: ${m}\n${USAGE}`); return 2; };
  let args;
  try {
    args = parseArgs({ args: argv, options: {
      tools: { type: 'string' }, rows: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' },
      force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    }, strict: true, allowPositionals: false }).values;
  } catch (e) {
    return usage(e instanceof Error ? e.message : String(e));
  }
  if (args.help) { out.log(USAGE); return 0; }
  const missing = (['tools', 'rows', 'out'] as const).filter((k) => !args[k]);
  if (missing.length) return usage(`missing ${missing.map((m) => `--${m}`).join(', ')}`);
  const n = Number(args.rows);
  if (!Number.isInteger(n) || n < 1 || n > MAX_ROWS) return usage(`--rows must be an integer from 1 to ${MAX_ROWS}, got "${args.rows}"`);
  const seed = args.seed === undefined ? 1 : Number(args.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return usage(`--seed must be a non-negative integer, got "${args.seed}"`);
  const toolsFile = args.tools!;
  const file = args.out!;

  // ---- refuse before any work: the output names the tools file, a folder, or a file that exists
  if (resolve(file) === resolve(toolsFile)) { out.error(`tooltune synth: --out ${file} is the tools file; write the dataset to another file`); return 1; }
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) { out.error(`tooltune synth: ${file} is a folder; give --out a file name such as ${file.replace(/\/+$/, '')}/train.jsonl`); return 1; }
    if (!args.force) { out.error(`tooltune synth: ${file} already exists; nothing written. Pass --force to overwrite it, or choose another --out.`); return 1; }
  }

  // ---- tools
  const loaded = await loadTools(toolsFile);
  for (const d of loaded.diagnostics) out.error(formatDiagnostic(d));
  const toolErrors = loaded.diagnostics.filter((d) => d.severity === 'error').length;
  if (toolErrors) { out.error(`tooltune synth: ${toolsFile} has ${toolErrors} error${toolErrors === 1 ? '' : 's'}; fix ${toolErrors === 1 ? 'it' : 'them'} first (tooltune validate --tools ${toolsFile})`); return 1; }
  if (!loaded.tools.length) { out.error(`tooltune synth: ${toolsFile} has no tools; nothing to write rows for`); return 1; }

  // ---- rows
  const { rows, skipped, omitted } = rowsForTools(loaded.tools, n, seed);
  for (const s of skipped) out.log(`skipped tool ${s.tool}: ${s.reason}`);
  for (const o of omitted) out.log(`never filled: optional parameter ${o.parameter} of ${o.tool}: ${o.reason}`);
  if (!rows.length) { out.error(`tooltune synth: no tool of ${toolsFile} could be given valid arguments; nothing written`); return 1; }

  // ---- write F.tmp, check it as any dataset is checked, then rename it into place
  const tmp = `${file}.tmp`;
  try {
    mkdirSync(dirname(resolve(file)), { recursive: true });
    writeFileSync(tmp, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const check = await loadDataset(tmp, { tools: loaded.tools, collect: false });
    const errors = check.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length || check.kept !== rows.length) {
      for (const d of errors.slice(0, 20)) out.error(formatDiagnostic(d));
      out.error(`tooltune synth: the generated rows failed validation (${errors.length} errors); nothing written. This is a bug in the generator: please report it with the tools file.`);
      return 1;
    }
    renameSync(tmp, file);
  } catch (e) {
    out.error(`tooltune synth: cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    rmSync(tmp, { force: true });
  }

  // ---- what was written, and what it is
  const count = (c: string) => rows.filter((r) => rowCategory(r) === c).length;
  const used = loaded.tools.length - skipped.length;
  out.log(`wrote ${rows.length} rows to ${file}: ${count('single')} single-call, ${count('parallel')} two-call, ${count('no_call')} no-call; ${used} of ${loaded.tools.length} tools used; all rows validated against ${toolsFile}`);
  if (rows.length < n) out.log(`only ${rows.length} of ${n} rows: the tools' schemas rejected most generated values`);
  out.log('This is a starter set: template phrasings around generated values, not real user requests. Review it, add and');
  out.log('rewrite requests in your users\' own words, and keep an eval set written apart from it.');
  return 0;
}

export default function run(argv: string[]): Promise<number> {
  return synthCommand(argv);
}
