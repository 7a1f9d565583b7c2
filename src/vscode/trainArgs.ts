// Pure helpers of the Train flow: paths relative to the workspace, the validator's output, the train CLI's arguments.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Diagnostic } from '../core/types';
import { isHubId } from './candidates';
import type { ProjectChoices } from './projectConfig';

export const rel = (root: string, p: string) => (isAbsolute(p) ? relative(root, p) || p : p);
export const abs = (root: string, p: string) => (isAbsolute(p) ? p : join(root, p));

/** Problems found by the validator CLI, as `file:line:col: severity: message` lines (src/cli/commands/validate.ts). */
export function parseValidatorOutput(lines: string[], root: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const l of lines) {
    const m = /^(.+?):(\d+):(\d+):?\s+(error|warning):?\s+(.*)$/.exec(l.trim());
    if (!m) continue;
    out.push({ file: abs(root, m[1]!), line: Number(m[2]), column: Number(m[3]), severity: m[4] as 'error' | 'warning', message: m[5]! });
  }
  return out;
}

/** CLI arguments for `tooltune train` from the saved choices. */
export function trainArgs(root: string, c: ProjectChoices, trainerConfig: string | undefined, exists: (p: string) => boolean = existsSync): string[] {
  // "models/tiny" reads as a Hub id too: a folder of that name in the workspace wins. The built-in names ("demo",
  // "nano": ToolTune's own models) are passed as they are.
  const model = c.model ?? 'demo';
  const modelArg = model === 'demo' || model === 'nano' ? model : isAbsolute(model) || exists(abs(root, model)) || !isHubId(model) ? abs(root, model) : model;
  return [
    '--tools', abs(root, c.tools!), '--data', abs(root, c.data!),
    ...(c.eval_data ? ['--eval-data', abs(root, c.eval_data)] : []),
    '--model', modelArg,
    ...(c.preset ? ['--preset', c.preset] : []),
    ...(trainerConfig ? ['--config', trainerConfig] : []),
    '--out', join(root, '.tooltune', 'runs'),
  ];
}

/**
 * "Split off N%": every k-th row (k = round(100 / N)) goes to eval, the rest to training. Deterministic, spread over
 * the whole file (datasets are often sorted by tool), and blank lines are dropped. The trainer has no split flag,
 * so the extension writes both parts to .tooltune/cache/ and passes them as --data / --eval-data.
 */
export function splitForEval(text: string, percent: number): { train: string; eval: string; evalRows: number } {
  const rows = text.split('\n').filter((l) => l.trim());
  const k = Math.max(2, Math.round(100 / percent));
  const train: string[] = []; const ev: string[] = [];
  rows.forEach((r, i) => ((i % k === k - 1) ? ev : train).push(r));
  return { train: train.join('\n') + '\n', eval: ev.join('\n') + (ev.length ? '\n' : ''), evalRows: ev.length };
}
