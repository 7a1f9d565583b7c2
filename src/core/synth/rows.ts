// Dataset rows for a domain (issue 11, item 1): requests in many phrasings (word order, synonyms, filler,
// politeness, values before or after the verb), ~65% single-call rows, ~15–20% two-call rows and ~10–15% no-call rows
// for requests no tool serves. Optional parameters are left out unless the request says them. Every row is a plain
// dataset row (ARCHITECTURE.md "Dataset row") that the project's own validation accepts (tests check it).
import type { Rng } from '../rng';
import type { ExpectedCall, Json, ToolDef } from '../types';
import type { SynthDomain, SynthTool } from './domain';
import { drawValue, inventedWord, longText, sayParam } from './values';
import { CHATTER, CLOSERS, JOINERS, NOUNS, OPENERS, VERBS } from './words';

export interface RowMix {
  /** Share of no-call rows (default 0.12). */
  noCall: number;
  /** Share of two-call rows (default 0.18). */
  twoCalls: number;
  /** Chance that an optional parameter is said (and so expected). */
  optional: number;
  /** Share of copy-drill rows: one call whose free-text values are long strings of partly invented words. LEARNING.md:
   *  verbatim copying is the skill that did not form in the first generalist try; long values give many copy targets
   *  per row (the classic way induction heads form fast). 0 for users' starter datasets. */
  copyDrill?: number;
}
export const DEFAULT_MIX: RowMix = { noCall: 0.12, twoCalls: 0.18, optional: 0.45 };

/** A generated row, in the dataset file's own JSON shape. */
export interface SynthRow { id: string; messages: Array<{ role: 'user'; content: string }>; tools?: ToolDef[]; expected: ExpectedCall[] }

interface Said { text: string; call: ExpectedCall }

/** One request clause and the call it asks for; null when a required value cannot be drawn. */
function sayCall(rng: Rng, tool: SynthTool, mix: RowMix, long = false): Said | null {
  const required = new Set(tool.def.function.parameters.required ?? []);
  const args: Record<string, Json> = {};
  const parts: string[] = [];
  for (const p of rng.shuffle(tool.params)) {
    if (!required.has(p.name) && !rng.chance(mix.optional)) continue;
    const v = drawValue(rng, p, long);
    if (v === null) { if (required.has(p.name)) return null; continue; }
    args[p.name] = v;
    parts.push(sayParam(rng, p, v));
  }
  const action = rng.pick(tool.actions);
  let text: string;
  if (parts.length && rng.chance(0.2)) {
    // A value before the verb: "For Lisbon, find the flights".
    text = `${parts[0]}, ${action}${parts.length > 1 ? ' ' + parts.slice(1).join(rng.pick([' ', ', '])) : ''}`;
  } else if (parts.length > 1 && rng.chance(0.3)) {
    text = `${action} ${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  } else {
    text = [action, ...parts].join(' ');
  }
  return { text, call: { name: tool.def.function.name, arguments: args } };
}

const capital = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** A request no tool of the domain serves: chit-chat, or an action on a noun the domain does not have. */
function sayNoCall(rng: Rng, domain: SynthDomain): string {
  if (rng.chance(0.35)) return rng.pick(CHATTER);
  const nouns = NOUNS.filter(([s]) => !domain.nouns.includes(s));
  const [singular, plural] = rng.pick(nouns);
  const verb = rng.pick(VERBS);
  return `${rng.pick(OPENERS)}${rng.pick(verb.says)} ${rng.pick(['the ', 'a ', 'my ', ''])}${rng.chance(0.3) ? plural : singular}${rng.pick(CLOSERS)}`;
}

/** One row for `domain`. `tools` is written into the row (per-row tools) unless `withTools` is false. */
export function synthRow(rng: Rng, domain: SynthDomain, id: string, mix: RowMix = DEFAULT_MIX, withTools = true): SynthRow | null {
  const r = rng.next();
  const tools = withTools ? { tools: domain.tools.map((t) => t.def) } : {};
  if (r < mix.noCall) {
    return { id, messages: [{ role: 'user', content: capital(sayNoCall(rng, domain)) }], ...tools, expected: [] };
  }
  if (mix.copyDrill && rng.chance(mix.copyDrill)) {
    const drill = domain.tools.filter((t) => t.params.some((p) => ['title', 'text', 'query', 'word'].includes(p.kind)));
    if (drill.length) {
      const s = sayCall(rng, rng.pick(drill), { ...mix, optional: 1 }, true);
      if (!s) return null;
      return { id, messages: [{ role: 'user', content: capital(`${rng.pick(OPENERS)}${s.text}${rng.pick(CLOSERS)}`) }], ...tools, expected: [s.call] };
    }
  }
  const n = r < mix.noCall + mix.twoCalls && domain.tools.length > 1 ? 2 : 1;
  const picked = rng.shuffle(domain.tools).slice(0, n);
  const said: Said[] = [];
  for (const t of picked) {
    const s = sayCall(rng, t, mix);
    if (!s) return null;
    said.push(s);
  }
  const body = said.map((s) => s.text).join(rng.pick(JOINERS));
  const content = capital(`${rng.pick(OPENERS)}${body}${rng.pick(CLOSERS)}`);
  return { id, messages: [{ role: 'user', content }], ...tools, expected: said.map((s) => s.call) };
}

/**
 * A pure copy row: one tool with an invented name and an invented string parameter, and a request that is nothing
 * but a long value (partly invented words, codes, numbers). The right answer copies the only tool's name and its
 * parameter's name from the tool list and the value from the request, token for token. Why: in Nano's first run
 * (and LEARNING.md's feasibility run) a model trained only on the full mix wrote its most frequent tool names and
 * values, never the prompt's, after 2M tokens; repeated random strings are the classic way copy ("induction")
 * heads form fast (Olsson et al., arXiv 2209.11895), and here every answer token is a copy target.
 */
export function copyRow(rng: Rng, id: string): SynthRow {
  const name = `${inventedWord(rng, false)}${rng.pick(['_', ''])}${inventedWord(rng, false)}`;
  const param = rng.chance(0.5) ? inventedWord(rng, false) : rng.pick(['text', 'value', 'query', 'label', 'code', 'input']);
  const parts = [longText(rng)];
  if (rng.chance(0.4)) parts.push(`${inventedWord(rng).toUpperCase().slice(0, 3)}-${rng.range(10, 99999)}`);
  const value = rng.shuffle(parts).join(' ');
  const def: ToolDef = { type: 'function', function: { name, description: `${inventedWord(rng)} ${inventedWord(rng, false)}.`, parameters: {
    type: 'object', properties: { [param]: { type: 'string' } }, required: [param],
  } } };
  const content = rng.pick([value, `${param}: ${value}`, `${rng.pick(OPENERS)}${value}`, `${value}${rng.pick(CLOSERS)}`]);
  return { id, messages: [{ role: 'user', content }], tools: [def], expected: [{ name, arguments: { [param]: value } }] };
}
