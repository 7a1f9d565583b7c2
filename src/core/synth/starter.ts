// Starter rows for a user's own tools (`tooltune synth`, issue 11): the corpus generator's phrasings applied to the
// parameters of a tools file. The corpus only meets schemas the generator wrote; a user's schema can ask for anything
// JSON Schema says (formats, lengths, multipleOf, patterns beyond the sampler), so here every drawn call is checked
// against the tool's schema with the validator the dataset loader uses, and what cannot be drawn is reported:
//   - a tool is skipped when a required parameter cannot be given a valid value (or no whole call passes);
//   - an optional parameter that cannot be is never said (and so never expected).
// Patterns are screened before sampling: they come from an untrusted file, and `\d{100000000}` must not hang the CLI.
import { Rng } from '../rng';
import { compileSchema, describeAjvErrors } from '../schema';
import type { Json, ToolDef } from '../types';
import { validateArguments } from '../validate-call';
import { toolFromDef, type SynthDomain, type SynthTool } from './domain';
import type { ParamSpec } from './params';
import { DEFAULT_MIX, synthRow, type RowMix, type SynthRow } from './rows';
import { drawValue, sampleFromPattern } from './values';
import { NOUNS } from './words';

export interface StarterResult {
  rows: SynthRow[];
  /** Tools no row calls, and why. */
  skipped: Array<{ tool: string; reason: string }>;
  /** Optional parameters no row fills, and why. */
  omitted: Array<{ tool: string; parameter: string; reason: string }>;
}

/** Largest repetition (`{n}`, `minItems`) drawn; more is refused rather than built. */
const MAX_REPEAT = 64;
/** Draws per parameter, and whole calls per tool, before giving up on it. */
const PROBES = 40;

/** Why values for a pattern cannot be drawn, or null when they can be tried. */
function patternProblem(pattern: string): string | null {
  try { new RegExp(pattern, 'u'); } catch { return `pattern /${pattern}/ is not a valid regular expression`; }
  for (const m of pattern.matchAll(/\{(\d+)/g)) {
    if (Number(m[1]) > MAX_REPEAT) return `pattern /${pattern}/ repeats more than ${MAX_REPEAT} times`;
  }
  if (sampleFromPattern(new Rng(0), pattern) === null) {
    return `pattern /${pattern}/ uses regular-expression features the generator does not sample (groups, |, *, ., negated classes, other escapes)`;
  }
  return null;
}

/** The first reason a spec (or one nested in it) cannot be drawn safely. */
function specProblem(spec: ParamSpec): string | null {
  const s = spec.schema;
  if (spec.kind === 'code' && typeof s.pattern === 'string') return patternProblem(s.pattern);
  if (spec.kind === 'array') {
    if (typeof s.minItems === 'number' && s.minItems > MAX_REPEAT) return `minItems ${s.minItems} is more than ${MAX_REPEAT}`;
    return spec.items ? specProblem(spec.items) : null;
  }
  for (const p of spec.properties ?? []) {
    const why = specProblem(p);
    if (why) return `${p.name}: ${why}`;
  }
  return null;
}

const pointer = (name: string) => '/' + name.replace(/~/g, '~0').replace(/\//g, '~1');

/** Null when some of PROBES draws for `spec` passes the tool's schema at that parameter; else the validator's reason. */
function valueProblem(def: ToolDef, spec: ParamSpec, rng: Rng): string | null {
  const compiled = compileSchema(def.function.parameters);
  if (!compiled.ok) return compiled.error;
  const at = pointer(spec.name);
  let last = spec.kind === 'code' && typeof spec.schema.pattern === 'string'
    ? `the generator's samples of /${spec.schema.pattern}/ never matched it; it samples literals, \\d \\w \\s, [a-z0-9] classes, + ? {n,m}`
    : 'the generator has no value of this type';
  for (let k = 0; k < PROBES; k++) {
    const v = drawValue(rng, spec);
    if (v === null) continue;
    compiled.validate({ [spec.name]: v });
    const own = (compiled.validate.errors ?? []).filter((e) => e.instancePath === at || e.instancePath.startsWith(at + '/'));
    if (!own.length) return null;
    last = describeAjvErrors(own)[0] ?? last;
  }
  return `no generated value passed its schema (${last})`;
}

/** The tool as rows will call it (unusable optional parameters left out), or why it cannot be called. */
function prepare(def: ToolDef, seed: number, omitted: StarterResult['omitted']): { tool: SynthTool } | { reason: string } {
  const tool = toolFromDef(def);
  const required = new Set(def.function.parameters.required ?? []);
  const rng = new Rng(seed ^ 0x5bd1e995);
  const params: ParamSpec[] = [];
  for (const p of tool.params) {
    const why = specProblem(p) ?? valueProblem(def, p, rng);
    if (!why) { params.push(p); continue; }
    if (required.has(p.name)) return { reason: `required parameter "${p.name}": ${why}` };
    omitted.push({ tool: def.function.name, parameter: p.name, reason: why });
  }
  const usable = { ...tool, params };
  let last = '';
  for (let k = 0; k < PROBES; k++) {
    const row = synthRow(rng, { tools: [usable], nouns: [] }, 'probe', { ...DEFAULT_MIX, noCall: 0, twoCalls: 0 }, false);
    if (!row) continue;
    const check = validateArguments(def, row.expected[0].arguments);
    if (check.ok) return { tool: usable };
    last = check.errors[0] ?? last;
  }
  return { reason: `no generated call passed its schema${last ? ` (${last})` : ''}` };
}

/** The generator's nouns that the tools mention, so no-call requests are about something none of them handles. */
function nounsOf(tools: readonly ToolDef[]): string[] {
  const text = ' ' + tools.map((t) => [t.function.name, t.function.description ?? '', ...Object.keys(t.function.parameters.properties ?? {})].join(' '))
    .join(' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().replace(/[^a-z]+/g, ' ') + ' ';
  return NOUNS.filter(([s, p]) => text.includes(` ${s} `) || text.includes(` ${p} `)).map(([s]) => s);
}

const callsValid = (row: SynthRow, tools: readonly ToolDef[]) =>
  row.expected.every((c) => validateArguments(tools.find((t) => t.function.name === c.name)!, c.arguments as Record<string, Json>).ok);

/** `n` starter rows for a user's tools (rows name no per-row tools: the tools file applies), with the tools and
 *  optional parameters left out and why. Deterministic for a seed; fewer than `n` rows only when draws keep failing. */
export function rowsForTools(tools: readonly ToolDef[], n: number, seed: number, mix: RowMix = DEFAULT_MIX): StarterResult {
  const skipped: StarterResult['skipped'] = [];
  const omitted: StarterResult['omitted'] = [];
  const usable: SynthTool[] = [];
  for (const def of tools) {
    const r = prepare(def, seed, omitted);
    if ('tool' in r) usable.push(r.tool);
    else skipped.push({ tool: def.function.name, reason: r.reason });
  }
  const rows: SynthRow[] = [];
  if (!usable.length) return { rows, skipped, omitted };
  const domain: SynthDomain = { tools: usable, nouns: nounsOf(tools) };
  const rng = new Rng(seed);
  // The row's kind is drawn here, then kept while its values are redrawn: rejecting a call row must not turn it into
  // a no-call row (a schema that rejects most draws would otherwise make a dataset of no-call rows).
  const kinds: RowMix[] = [{ ...mix, noCall: 1, twoCalls: 0 }, { ...mix, noCall: 0, twoCalls: 1 }, { ...mix, noCall: 0, twoCalls: 0 }];
  for (let tries = 0; rows.length < n && tries < n * 20;) {
    const r = rng.next();
    const kind = kinds[r < mix.noCall ? 0 : r < mix.noCall + mix.twoCalls ? 1 : 2];
    for (let k = 0; k < 20; k++, tries++) {
      const row = synthRow(rng, domain, `synth-${rows.length + 1}`, kind, false);
      if (row && callsValid(row, tools)) { rows.push(row); break; }
    }
  }
  return { rows, skipped, omitted };
}
