// The run's inputs: the tools file and the train / eval datasets, validated by core. A bad tools file stops the run
// with every diagnostic (file:line:col, message, fix); bad dataset rows are skipped with a warning each (the first
// few printed, all counted), and a split with no usable row stops the run.
import { loadDataset } from '../core/dataset';
import { loadTools } from '../core/tools';
import type { DatasetRow, Diagnostic } from '../core/types';

export interface LoadedInputs { train: DatasetRow[]; eval: DatasetRow[]; warnings: string[] }

export class InputError extends Error {
  constructor(message: string, readonly diagnostics: Diagnostic[]) { super(message); this.name = 'InputError'; }
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${d.hint ? ` (fix: ${d.hint})` : ''}`;
}

const SHOWN = 5;

function summarise(file: string, diags: Diagnostic[], skipped: number, warnings: string[]): void {
  for (const d of diags.slice(0, SHOWN)) warnings.push(formatDiagnostic(d));
  if (diags.length > SHOWN) warnings.push(`${file}: ${diags.length - SHOWN} more problems (run tooltune validate for all)`);
  if (skipped) warnings.push(`${file}: ${skipped} rows skipped`);
}

/** Held-out eval rows when no eval file is given: every 10th row (deterministic, spread over the file), at least 1. */
export function holdOut(rows: DatasetRow[]): { train: DatasetRow[]; eval: DatasetRow[] } {
  if (rows.length < 10) return { train: rows, eval: [] };
  return { train: rows.filter((_, i) => i % 10 !== 9), eval: rows.filter((_, i) => i % 10 === 9) };
}

export async function loadInputs(inputs: { tools: string; data: string; evalData?: string }): Promise<LoadedInputs> {
  const warnings: string[] = [];
  const t = await loadTools(inputs.tools);
  const toolErrors = t.diagnostics.filter((d) => d.severity === 'error');
  if (toolErrors.length || !t.tools.length) {
    const all = toolErrors.length ? toolErrors : [{ file: inputs.tools, line: 1, column: 1, severity: 'error' as const, message: 'no tools defined', hint: 'add at least one tool' }];
    throw new InputError(`the tools file has errors:\n${all.map(formatDiagnostic).join('\n')}`, all);
  }
  for (const d of t.diagnostics.filter((x) => x.severity === 'warning')) warnings.push(formatDiagnostic(d));
  const load = async (file: string) => {
    const ds = await loadDataset(file, { tools: t.tools });
    const problems = ds.diagnostics;
    if (!ds.rows.length) {
      throw new InputError(`${file}: no usable rows:\n${problems.slice(0, 20).map(formatDiagnostic).join('\n')}`, problems);
    }
    summarise(file, problems, ds.skipped, warnings);
    return ds.rows;
  };
  const train = await load(inputs.data);
  if (inputs.evalData) return { train, eval: await load(inputs.evalData), warnings };
  const split = holdOut(train);
  warnings.push(split.eval.length
    ? `no --eval-data: evaluating on ${split.eval.length} held-out rows (every 10th row of ${inputs.data})`
    : `no --eval-data and fewer than 10 rows: no evaluation`);
  return { ...split, warnings };
}
