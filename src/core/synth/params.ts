// Parameters for generated tools, and the "kind" of any JSON-schema parameter (generated or a user's), which decides
// how a value is drawn and how a request says it. One place for both, so `tooltune synth` on a user's schema and
// Nano's pretraining corpus phrase values the same way.
import type { Rng } from '../rng';
import { ENUMS } from './words';

export type ParamKind = 'enum' | 'date' | 'time' | 'code' | 'person' | 'place' | 'address' | 'title' | 'text' | 'query'
  | 'email' | 'phone' | 'url' | 'word' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

/** A parameter as the generator sees it: its schema plus how requests refer to it. */
export interface ParamSpec {
  name: string;
  schema: Record<string, unknown>;
  kind: ParamKind;
  /** Words a request puts before the value ("in", "to", "titled", "priority"); '' = the value alone. */
  cues: readonly string[];
  /** For integers and numbers: a unit word after the value ("5 people", "30 minutes"). */
  unit?: string;
  /** For booleans: the phrase that means true ("urgently"), and the one that means false. */
  onPhrase?: string;
  offPhrase?: string;
  /** Array items and object properties. */
  items?: ParamSpec;
  properties?: ParamSpec[];
}

/** A parameter name as words: `party_size`, `partySize` → "party size". */
export const paramWords = (name: string) => name.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().trim();

/** A random pattern-shaped identifier format (e.g. `AB-12345`, `SKU-1234`, `X9Q4`): [pattern, example-free cue]. */
export function randomCodePattern(rng: Rng): string {
  const L = 'ABCDEFGHJKMNPQRSTUVWXYZ';
  const prefix = Array.from({ length: rng.range(2, 4) }, () => rng.pick(L.split(''))).join('');
  switch (rng.int(4)) {
    case 0: return `^${prefix}-\\d{${rng.range(3, 6)}}$`;
    case 1: return `^[A-Z]{2}-\\d{${rng.range(4, 6)}}$`;
    case 2: return `^[A-Z0-9]{${rng.range(5, 8)}}$`;
    default: return `^${prefix}\\d{${rng.range(2, 5)}}$`;
  }
}

type Maker = (rng: Rng, name: string) => ParamSpec;
const str = (kind: ParamKind, cues: string[], extra: Record<string, unknown> = {}): Maker => (_rng, name) => ({
  name, kind, cues, schema: { type: 'string', ...extra },
});

/** Parameter templates for generated tools: name → how to make its spec. Names are common in real schemas. */
export const PARAM_TEMPLATES: ReadonlyArray<readonly [string, Maker]> = [
  ['city', str('place', ['in', 'for', 'city'])],
  ['location', str('place', ['in', 'at', 'location'])],
  ['destination', str('place', ['to', 'destination'])],
  ['origin', str('place', ['from', 'origin'])],
  ['date', str('date', ['on', 'for', 'date'], { pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'date as YYYY-MM-DD' })],
  ['start_date', str('date', ['from', 'starting', 'start date'], { pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' })],
  ['end_date', str('date', ['until', 'to', 'end date'], { pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' })],
  ['due_date', str('date', ['due', 'by', 'due date'], { format: 'date' })],
  ['time', str('time', ['at', 'time'], { pattern: '^\\d{2}:\\d{2}$', description: '24-hour time as HH:MM' })],
  ['start_time', str('time', ['at', 'from', 'start time'], { pattern: '^\\d{2}:\\d{2}$' })],
  ['recipient', str('person', ['to', 'for', 'recipient'])],
  ['owner', str('person', ['owned by', 'owner', 'for'])],
  ['assignee', str('person', ['to', 'assigned to', 'assignee'])],
  ['contact_name', str('person', ['for', 'contact', 'named'])],
  ['guest', str('person', ['for', 'guest', 'with'])],
  ['title', str('title', ['titled', 'called', 'title', 'named'])],
  ['name', str('title', ['named', 'called', 'name'])],
  ['label', str('title', ['labelled', 'label', 'tagged'])],
  ['subject', str('title', ['about', 'subject', 'on'])],
  ['message', str('text', ['saying', 'with the message', 'message'])],
  ['note', str('text', ['with a note', 'noting', 'note'])],
  ['text', str('text', ['saying', 'text', 'that says'])],
  ['query', str('query', ['for', 'matching', 'query'])],
  ['keyword', str('query', ['for', 'with keyword', 'keyword'])],
  ['email', str('email', ['to', 'email', 'at'], { format: 'email' })],
  ['phone', str('phone', ['at', 'on', 'phone'])],
  ['url', str('url', ['from', 'at', 'url'])],
  ['path', str('url', ['at', 'in', 'path'])],
  ['id', (rng, name) => ({ name, kind: 'code', cues: ['', 'id', 'number'], schema: { type: 'string', pattern: randomCodePattern(rng) } })],
  ['reference', (rng, name) => ({ name, kind: 'code', cues: ['', 'reference', 'ref'], schema: { type: 'string', pattern: randomCodePattern(rng) } })],
  ['code', (rng, name) => ({ name, kind: 'code', cues: ['', 'code'], schema: { type: 'string', pattern: randomCodePattern(rng) } })],
  ['quantity', (_r, name) => ({ name, kind: 'integer', cues: ['', 'quantity'], unit: 'units', schema: { type: 'integer', minimum: 1, maximum: 50 } })],
  ['count', (_r, name) => ({ name, kind: 'integer', cues: ['', 'count'], unit: 'items', schema: { type: 'integer', minimum: 1, maximum: 100 } })],
  ['limit', (_r, name) => ({ name, kind: 'integer', cues: ['limit', 'at most', 'top'], schema: { type: 'integer', minimum: 1, maximum: 100 } })],
  ['people', (_r, name) => ({ name, kind: 'integer', cues: ['for', ''], unit: 'people', schema: { type: 'integer', minimum: 1, maximum: 30 } })],
  ['duration_minutes', (_r, name) => ({ name, kind: 'integer', cues: ['for', ''], unit: 'minutes', schema: { type: 'integer', minimum: 5, maximum: 600 } })],
  ['days', (_r, name) => ({ name, kind: 'integer', cues: ['for', ''], unit: 'days', schema: { type: 'integer', minimum: 1, maximum: 30 } })],
  ['level', (_r, name) => ({ name, kind: 'integer', cues: ['level', 'to level'], schema: { type: 'integer', minimum: 0, maximum: 10 } })],
  ['percent', (_r, name) => ({ name, kind: 'integer', cues: ['to', 'at'], unit: 'percent', schema: { type: 'integer', minimum: 0, maximum: 100 } })],
  ['year', (_r, name) => ({ name, kind: 'integer', cues: ['from', 'in', 'year'], schema: { type: 'integer', minimum: 1990, maximum: 2030 } })],
  ['amount', (_r, name) => ({ name, kind: 'number', cues: ['of', 'for', 'amount'], unit: 'dollars', schema: { type: 'number', minimum: 0 } })],
  ['max_price', (_r, name) => ({ name, kind: 'number', cues: ['under', 'below', 'max price'], unit: 'euros', schema: { type: 'number', exclusiveMinimum: 0 } })],
  ['weight_kg', (_r, name) => ({ name, kind: 'number', cues: ['of', 'weighing', ''], unit: 'kg', schema: { type: 'number', minimum: 0, maximum: 500 } })],
  ['distance_km', (_r, name) => ({ name, kind: 'number', cues: ['of', 'within', ''], unit: 'km', schema: { type: 'number', minimum: 0, maximum: 1000 } })],
  ['temperature', (_r, name) => ({ name, kind: 'number', cues: ['to', 'at'], unit: 'degrees', schema: { type: 'number', minimum: -20, maximum: 40 } })],
  ['urgent', (_r, name) => ({ name, kind: 'boolean', cues: [], onPhrase: 'urgently', offPhrase: 'not urgent', schema: { type: 'boolean' } })],
  ['notify', (_r, name) => ({ name, kind: 'boolean', cues: [], onPhrase: 'and notify everyone', offPhrase: 'without notifying anyone', schema: { type: 'boolean' } })],
  ['include_archived', (_r, name) => ({ name, kind: 'boolean', cues: [], onPhrase: 'including archived ones', offPhrase: 'excluding archived ones', schema: { type: 'boolean' } })],
  ['recurring', (_r, name) => ({ name, kind: 'boolean', cues: [], onPhrase: 'repeating', offPhrase: 'just once', schema: { type: 'boolean' } })],
  ['dry_run', (_r, name) => ({ name, kind: 'boolean', cues: [], onPhrase: 'as a dry run', offPhrase: 'for real', schema: { type: 'boolean' } })],
  ['tags', (_r, name) => ({ name, kind: 'array', cues: ['tagged', 'with tags'], schema: { type: 'array', items: { type: 'string' } }, items: { name: 'tag', kind: 'word', cues: [], schema: { type: 'string' } } })],
  ['members', (_r, name) => ({ name, kind: 'array', cues: ['with', 'for'], schema: { type: 'array', items: { type: 'string' }, minItems: 1 }, items: { name: 'member', kind: 'person', cues: [], schema: { type: 'string' } } })],
  ['cities', (_r, name) => ({ name, kind: 'array', cues: ['in', 'for'], schema: { type: 'array', items: { type: 'string' } }, items: { name: 'city', kind: 'place', cues: [], schema: { type: 'string' } } })],
  ['address', (_r, name) => {
    const properties: ParamSpec[] = [
      { name: 'street', kind: 'address', cues: [], schema: { type: 'string' } },
      { name: 'city', kind: 'place', cues: [], schema: { type: 'string' } },
      { name: 'postal_code', kind: 'code', cues: [], schema: { type: 'string', pattern: '^\\d{4,5}$' } },
    ];
    return { name, kind: 'object', cues: ['to', 'at'], properties, schema: {
      type: 'object', properties: Object.fromEntries(properties.map((p) => [p.name, p.schema])), required: ['street', 'city'], additionalProperties: false,
    } };
  }],
  ...ENUMS.map(([pname, values]) => [pname, ((_r: Rng, name: string) => ({
    name, kind: 'enum', cues: ['', 'in', pname.replace(/_/g, ' '), 'with', 'as'], schema: { type: 'string', enum: [...values] },
  })) as Maker] as const),
];

/** String formats the generator has no kind for, as patterns that draw a value ajv-formats accepts (its `time` is
 *  RFC 3339 full-time: seconds and a zone are required). */
const FORMAT_PATTERNS: Readonly<Record<string, string>> = {
  time: '^[01]\\d:[0-5]\\d:00Z$',
  'date-time': '^202[4-7]-0[1-9]-[012][1-8]T[01]\\d:[0-5]\\d:00Z$',
  uuid: '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$',
  ipv4: '^1\\d\\d\\.1\\d\\d\\.\\d{1,2}\\.\\d{1,2}$',
};

/** Whether the schema's own pattern (if any) accepts a value of the generator's shape for a kind. */
function patternAccepts(pattern: string, sample: string): boolean {
  if (!pattern) return true;
  try { return new RegExp(pattern, 'u').test(sample); } catch { return false; }
}

/** How a parameter of any schema (a user's tools file too) is drawn and said, inferred from its schema and name.
 *  `schema` of the result is what values are drawn from: the parameter's own, except that `const` becomes a one-value
 *  enum and a format without a kind gets the pattern that draws it (the tool keeps its real schema). */
export function specFromSchema(name: string, schema: Record<string, unknown>): ParamSpec {
  const w = paramWords(name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  const pattern = typeof schema.pattern === 'string' ? schema.pattern : '';
  const format = typeof schema.format === 'string' ? schema.format : '';
  const nameCue = [w, ''];
  if (Array.isArray(schema.enum) && schema.enum.length) return { name, schema, kind: 'enum', cues: ['', w, 'in', 'with'] };
  if ('const' in schema) return { name, schema: { ...schema, enum: [schema.const] }, kind: 'enum', cues: ['', w] };
  if (type === 'boolean') return { name, schema, kind: 'boolean', cues: [], onPhrase: `with ${w}`, offPhrase: `without ${w}` };
  // A user's number has no unit word the generator knows, and a bare "188" says nothing: it is always named.
  if (type === 'integer') return { name, schema, kind: 'integer', cues: [w] };
  if (type === 'number') return { name, schema, kind: 'number', cues: [w] };
  if (type === 'array') {
    const items = (schema.items && typeof schema.items === 'object' ? schema.items : { type: 'string' }) as Record<string, unknown>;
    return { name, schema, kind: 'array', cues: [w, 'with', 'for'], items: specFromSchema(name.replace(/s$/, ''), items) };
  }
  if (type === 'object') {
    const props = (schema.properties && typeof schema.properties === 'object' ? schema.properties : {}) as Record<string, Record<string, unknown>>;
    return { name, schema, kind: 'object', cues: [w], properties: Object.entries(props).map(([k, s]) => specFromSchema(k, s)) };
  }
  if (!pattern && FORMAT_PATTERNS[format]) {
    return { name, schema: { ...schema, pattern: FORMAT_PATTERNS[format] }, kind: 'code', cues: /time/.test(format) ? ['at', w] : ['', w] };
  }
  // The date and time kinds draw ISO shapes (2025-06-30, 09:30); a pattern asking for another shape is sampled instead.
  if ((format === 'date' || /\\d\{4\}-\\d\{2\}-\\d\{2\}/.test(pattern) || /date|day$/.test(w)) && patternAccepts(pattern, '2025-06-30')) return { name, schema, kind: 'date', cues: ['on', w] };
  if ((/\\d\{2\}:\\d\{2\}/.test(pattern) || /time$/.test(w)) && patternAccepts(pattern, '09:30')) return { name, schema, kind: 'time', cues: ['at', w] };
  if (pattern) return { name, schema, kind: 'code', cues: ['', w] };
  if (format === 'email' || /email/.test(w)) return { name, schema, kind: 'email', cues: [w, 'to'] };
  if (format === 'uri' || /url|link|path/.test(w)) return { name, schema, kind: 'url', cues: [w, 'at'] };
  if (/phone|mobile/.test(w)) return { name, schema, kind: 'phone', cues: [w, 'at'] };
  if (/street|address/.test(w)) return { name, schema, kind: 'address', cues: [w, 'at'] };
  if (/city|location|place|destination|origin|country|town|airport/.test(w)) return { name, schema, kind: 'place', cues: ['in', w] };
  if (/name|recipient|contact|person|user|attendee|owner|assignee|guest|author/.test(w)) return { name, schema, kind: 'person', cues: ['for', w] };
  if (/title|subject|label|topic/.test(w)) return { name, schema, kind: 'title', cues: [w, 'called'] };
  if (/text|message|body|note|content|comment|description|reason/.test(w)) return { name, schema, kind: 'text', cues: [w, 'saying'] };
  if (/query|search|keyword|term/.test(w)) return { name, schema, kind: 'query', cues: ['for', w] };
  if (/(^|\s)id$|code|number|ref/.test(w)) return { name, schema, kind: 'code', cues: ['', w] };
  return { name, schema, kind: 'word', cues: nameCue };
}

export const _private = { words: paramWords };
