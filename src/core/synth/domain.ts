// Random tool domains (issue 11, item 1): a few nouns, a few verbs each, so that tools sharing a noun differ by their
// action and tools sharing an action differ by their object — the model has to read both. Some tools get
// Hammer-style masked names (arXiv 2410.04587: a meaningless name, so only the description tells what it does).
// `level` in [0, 1] is the curriculum dial: 0 gives one or two small tools, 1 gives 3–10 tools, and now and then
// 9–12 (the held-out domains have 9 and 10) with up to 4
// parameters each (LEARNING.md: copying forms sooner on short, easy rows first).
import type { Rng } from '../rng';
import type { ToolDef } from '../types';
import { PARAM_TEMPLATES, paramWords, randomCodePattern, specFromSchema, type ParamSpec } from './params';
import { inventedWord } from './values';
import { NOUNS, VERBS, type Verb } from './words';

/** A tool and what the generator needs to phrase requests for it. */
export interface SynthTool {
  def: ToolDef;
  params: ParamSpec[];
  /** Ways a request names the action ("cancel the ticket", "call off my ticket"). */
  actions: string[];
  masked: boolean;
}

export interface SynthDomain { tools: SynthTool[]; nouns: string[] }

const snake = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
const PLURAL_VERBS = new Set(['list', 'count', 'find']);

function maskedName(rng: Rng): string {
  switch (rng.int(4)) {
    case 0: return `tool_${inventedWord(rng, false)}`;
    case 1: return `f${rng.range(1, 999)}`;
    case 2: return `${inventedWord(rng, false)}_${inventedWord(rng, false)}`;
    default: return `api_${String.fromCharCode(97 + rng.int(26))}${rng.range(10, 99)}`;
  }
}

function actionPhrases(verb: Verb, singular: string, plural: string): string[] {
  const obj = PLURAL_VERBS.has(verb.name) ? plural : singular;
  const out: string[] = [];
  for (const say of verb.says) for (const det of PLURAL_VERBS.has(verb.name) ? ['', 'the', 'my', 'all'] : ['the', /^[aeiou]/.test(obj) ? 'an' : 'a', 'my', 'this']) {
    out.push(`${say} ${det ? det + ' ' : ''}${obj}`);
  }
  return out;
}

/** A random domain of tools at curriculum `level` (0 easy … 1 full). Deterministic for a given rng state. */
export function randomDomain(rng: Rng, level = 1): SynthDomain {
  // Now and then a big domain (9–12 tools), so long tool lists like the held-out domains' are not new at eval time.
  const nTools = level >= 1 && rng.chance(0.15) ? rng.range(9, 12) : rng.range(1 + Math.round(2 * level), 2 + Math.round(8 * level));
  const nNouns = Math.min(nTools, rng.range(1, 3));
  const nouns = rng.shuffle(NOUNS).slice(0, nNouns);
  const tools: SynthTool[] = [];
  const names = new Set<string>();
  for (let t = 0; tools.length < nTools && t < nTools * 10; t++) {
    const [singular, plural] = nouns[t % nNouns];
    const verb = rng.pick(VERBS);
    const obj = PLURAL_VERBS.has(verb.name) ? plural : singular;
    const masked = rng.chance(0.05 + 0.2 * level);
    const name = masked ? maskedName(rng) : `${verb.name}_${snake(obj)}`;
    if (names.has(name) || tools.some((x) => x.actions[0] === actionPhrases(verb, singular, plural)[0])) continue;
    names.add(name);
    const params = namedWhereConfusable(randomParams(rng, level, snake(singular)));
    const required = params.filter((p, i) => i === 0 || rng.chance(0.4)).map((p) => p.name);
    const description = `${verb.describe} ${PLURAL_VERBS.has(verb.name) ? `${plural}` : `${/^[aeiou]/.test(singular) ? 'an' : 'a'} ${singular}`}${rng.chance(0.3) ? rng.pick([' by its details', ' for the user', ' in the account']) : ''}.`;
    const def: ToolDef = { type: 'function', function: { name, description, parameters: {
      type: 'object', properties: Object.fromEntries(params.map((p) => [p.name, p.schema])), required,
    } } };
    tools.push({ def, params, actions: actionPhrases(verb, singular, plural), masked });
  }
  return { tools: rng.shuffle(tools), nouns: nouns.map((n) => n[0]) };
}

function randomParams(rng: Rng, level: number, noun: string): ParamSpec[] {
  const n = rng.range(1, 1 + Math.round(3 * level));
  const out: ParamSpec[] = [];
  // An id of the object itself ("ticket_id": TK-4821) is the most common parameter of real tools.
  if (rng.chance(0.35)) out.push({ name: `${noun}_id`, kind: 'code', cues: ['', `${noun.replace(/_/g, ' ')} id`, 'number'], schema: { type: 'string', pattern: randomCodePattern(rng) } });
  for (const [pname, make] of rng.shuffle(PARAM_TEMPLATES)) {
    if (out.length >= n) break;
    if (out.some((p) => p.name === pname || p.kind === make(rng, pname).kind && ['date', 'time', 'person', 'place'].includes(p.kind))) continue;
    out.push(make(rng, pname));
  }
  return out;
}

/** Verbs a tool name may start with, for phrasing requests to a user's own tools (`tooltune synth`). */
const NAME_VERBS = new Set([...VERBS.map((v) => v.name), 'set', 'send', 'search', 'add', 'track', 'apply', 'request', 'schedule',
  'play', 'order', 'convert', 'start', 'stop', 'open', 'close', 'read', 'write', 'post', 'run', 'calculate', 'compute', 'lookup']);

/** First words that make a description an instruction ("Reserve a table…"), so it can be said as the request's action. */
const DESCRIPTION_VERBS = new Set([...NAME_VERBS, ...VERBS.flatMap((v) => v.says.filter((s) => !s.includes(' '))), 'look', 'ask',
  'change', 'give', 'tell', 'turn', 'use', 'show', 'return', 'generate', 'edit', 'remove', 'query', 'call', 'invite', 'mark',
  'toggle', 'enable', 'disable', 'submit', 'notify', 'log', 'save', 'reply', 'join', 'leave', 'buy', 'sell', 'estimate', 'predict']);

const LINKING_WORDS = new Set(['to', 'from', 'in', 'on', 'for', 'by', 'with', 'at', 'of', 'a', 'an', 'the', 'my', 'all']);

/** The description as an action: "Reserve a table." → "reserve a table"; "Returns the stock." → "return the stock";
 *  "Current weather for a city." → "get the current weather for a city". Null when too long to be said. */
function descriptionAction(description: string | undefined): string | null {
  const desc = description?.trim().replace(/\.$/, '');
  if (!desc || desc.length >= 80 || desc.includes('\n')) return null;
  const [first = '', ...rest] = desc.split(/\s+/);
  const f = first.toLowerCase();
  const verb = DESCRIPTION_VERBS.has(f) ? f
    : f.endsWith('es') && DESCRIPTION_VERBS.has(f.slice(0, -2)) ? f.slice(0, -2)
      : f.endsWith('s') && DESCRIPTION_VERBS.has(f.slice(0, -1)) ? f.slice(0, -1) : null;
  if (verb) return [verb, ...rest].join(' ');
  const lowered = desc[0].toLowerCase() + desc.slice(1);
  return LINKING_WORDS.has(f) ? `get ${lowered}` : `get the ${lowered}`;
}

/** Parameters a request could mix up if each were said bare or with a generic cue ("5 and 8", "in EUR in CAD"): the
 *  same kind (numbers of either type together), and enums only when their values overlap. */
function confusable(a: ParamSpec, b: ParamSpec): boolean {
  const numeric = (p: ParamSpec) => p.kind === 'integer' || p.kind === 'number';
  if (numeric(a) && numeric(b)) return true;
  if (a.kind !== b.kind || a.kind === 'boolean') return false;
  if (a.kind !== 'enum') return true;
  const values = new Set((a.schema.enum as unknown[]).map((v) => JSON.stringify(v)));
  return (b.schema.enum as unknown[]).some((v) => values.has(JSON.stringify(v)));
}

/** Parameters that could be mixed up are always introduced by their own name ("quantity 5, count 8"), in users'
 *  tools and generated ones alike: a row whose values could go either way teaches nothing. */
export function namedWhereConfusable(specs: readonly ParamSpec[]): ParamSpec[] {
  return specs.map((p) => (specs.some((q) => q !== p && confusable(p, q)) ? { ...p, cues: [paramWords(p.name)] } : p));
}

/** A user's tool as the generator sees it: parameter kinds from the schema, action phrases from name and description.
 *  Parameters that could be mixed up are always introduced by their own name ("from EUR to CAD"). */
export function toolFromDef(def: ToolDef): SynthTool {
  const props = (def.function.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const specs = Object.entries(props).map(([k, s]) => specFromSchema(k, s));
  const params = namedWhereConfusable(specs);
  const w = def.function.name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const actions: string[] = [];
  if (w.length > 1 && NAME_VERBS.has(w[0])) {
    const object = w.slice(1).join(' ');
    actions.push(...(LINKING_WORDS.has(w[1]) ? [] : [`${w[0]} the ${object}`]), `${w[0]} ${object}`);
  } else if (w.length) actions.push(`use ${w.join(' ')}`);
  const said = descriptionAction(def.function.description);
  if (said && !actions.includes(said)) actions.push(said);
  return { def, params, actions, masked: false };
}
