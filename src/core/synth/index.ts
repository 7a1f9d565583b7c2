// The procedural tool-domain generator (issue 11): random domains and rows for ToolTune Nano's pretraining corpus,
// and starter rows for a user's own tools (`tooltune synth`). Pure and seeded: the same seed gives the same rows.
//
//   randomDomain(rng, level)        domain.ts   tools with names, descriptions, typed parameters (masked names too)
//   synthRow(rng, domain, id, mix)  rows.ts     one request and its expected calls (single, two-call, no-call)
//   corpusRows(seed, …)             here        an endless stream: a fresh domain every few rows
//   rowsForTools(tools, n, seed)    starter.ts  a starter dataset for a user's tools file (every call schema-checked)
import { Rng } from '../rng';
import { randomDomain, type SynthDomain } from './domain';
import { DEFAULT_MIX, synthRow, type RowMix, type SynthRow } from './rows';

export { randomDomain, toolFromDef, type SynthDomain, type SynthTool } from './domain';
export { synthRow, copyRow, DEFAULT_MIX, type RowMix, type SynthRow } from './rows';
export { specFromSchema, type ParamSpec, type ParamKind } from './params';
export { drawValue, sayValue, sayParam, sampleFromPattern } from './values';
export { rowsForTools, type StarterResult } from './starter';

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
