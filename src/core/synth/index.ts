// The procedural tool-domain generator (issue 11): random domains and rows for ToolTune Nano's pretraining corpus,
// and starter rows for a user's own tools (`tooltune synth`). Pure and seeded: the same seed gives the same rows.
//
//   randomDomain(rng, level)        domain.ts   tools with names, descriptions, typed parameters (masked names too)
//   synthRow(rng, domain, id, mix)  rows.ts     one request and its expected calls (single, two-call, no-call)
//   corpusRows(seed, …)             here        an endless stream: a fresh domain every few rows
//   rowsForTools(tools, n, seed)    here        a starter dataset for a user's tools file
import { Rng } from '../rng';
import type { ToolDef } from '../types';
import { randomDomain, toolFromDef, type SynthDomain } from './domain';
import { DEFAULT_MIX, synthRow, type RowMix, type SynthRow } from './rows';

export { randomDomain, toolFromDef, type SynthDomain, type SynthTool } from './domain';
export { synthRow, DEFAULT_MIX, type RowMix, type SynthRow } from './rows';
export { specFromSchema, type ParamSpec, type ParamKind } from './params';
export { drawValue, sayValue, sayParam, sampleFromPattern } from './values';

export interface CorpusOptions {
  /** Rows drawn from one domain before the next is made (default 4). */
  rowsPerDomain?: number;
  /** Curriculum level for the n-th row (0 easy … 1 full); default 1 throughout. */
  level?: (n: number) => number;
  mix?: RowMix;
}

/** Rows from ever-new random domains, each row carrying its own tools. Stops after `count` rows. */
export function* corpusRows(seed: number, count: number, opts: CorpusOptions = {}): Generator<SynthRow> {
  const rng = new Rng(seed);
  const per = opts.rowsPerDomain ?? 4;
  let domain: SynthDomain | null = null;
  for (let n = 0, made = 0; made < count; n++) {
    if (made % per === 0 || !domain) domain = randomDomain(rng, opts.level?.(made) ?? 1);
    const row = synthRow(rng, domain, `synth-${seed}-${made}`, opts.mix ?? DEFAULT_MIX);
    if (row) { made++; yield row; }
    if (n > count * 4 + 100) throw new Error('corpusRows: the generator keeps failing to draw values; this is a bug');
  }
}

export interface StarterResult { rows: SynthRow[]; skipped: Array<{ tool: string; reason: string }> }

/** `n` starter rows for a user's tools (rows name no per-row tools: the tools file applies). Tools whose required
 *  values cannot be drawn (e.g. a regular expression beyond the generator's subset) are skipped and reported. */
export function rowsForTools(tools: readonly ToolDef[], n: number, seed: number, mix: RowMix = DEFAULT_MIX): StarterResult {
  const rng = new Rng(seed);
  const domain: SynthDomain = { tools: tools.map(toolFromDef), nouns: [] };
  const skipped: StarterResult['skipped'] = [];
  const usable = domain.tools.filter((t) => {
    for (let k = 0; k < 20; k++) if (synthRow(new Rng(seed + k), { tools: [t], nouns: [] }, 'probe', { ...mix, noCall: 0, twoCalls: 0 }, false)) return true;
    skipped.push({ tool: t.def.function.name, reason: 'a required parameter\'s value could not be generated (pattern or type beyond the generator)' });
    return false;
  });
  const rows: SynthRow[] = [];
  if (!usable.length) return { rows, skipped };
  const d: SynthDomain = { tools: usable, nouns: [] };
  for (let tries = 0; rows.length < n && tries < n * 20; tries++) {
    const row = synthRow(rng, d, `synth-${rows.length + 1}`, mix, false);
    if (row) rows.push(row);
  }
  return { rows, skipped };
}
