// specFromSchema: how a parameter of a user's schema is drawn and said. Every case below is drawn many times and
// checked with the validator the dataset loader uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawValue, specFromSchema, type ParamKind } from '../../../../src/core/synth/index';
import { compileSchema } from '../../../../src/core/schema';
import { Rng } from '../../../../src/core/rng';

// [parameter name, schema, expected kind]
const CASES: Array<[string, Record<string, unknown>, ParamKind]> = [
  // enums and const are picked, not invented
  ['unit', { type: 'string', enum: ['celsius', 'fahrenheit'] }, 'enum'],
  ['kind', { const: 'fixed' }, 'enum'],
  ['level', { enum: [1, 2, 3] }, 'enum'],
  // numbers within their bounds
  ['party_size', { type: 'integer', minimum: 1, maximum: 20 }, 'integer'],
  ['amount', { type: 'number', exclusiveMinimum: 0 }, 'number'],
  ['urgent', { type: 'boolean' }, 'boolean'],
  // ISO dates and times, by format, pattern or name
  ['due', { type: 'string', format: 'date' }, 'date'],
  ['date', { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, 'date'],
  ['birthday', { type: 'string' }, 'date'],
  ['time', { type: 'string', pattern: '^\\d{2}:\\d{2}$' }, 'time'],
  ['start_time', { type: 'string' }, 'time'],
  // a date or time pattern of another shape is sampled from the pattern, not drawn as ISO
  ['date', { type: 'string', pattern: '^\\d{2}/\\d{2}/\\d{4}$' }, 'code'],
  ['time', { type: 'string', pattern: '^\\d{2}:\\d{2}:\\d{2}$' }, 'code'],
  // formats without a kind of their own: RFC 3339 time (seconds and zone), date-time, uuid, ipv4
  ['at', { type: 'string', format: 'time' }, 'code'],
  ['start_time', { type: 'string', format: 'date-time' }, 'code'],
  ['request_id', { type: 'string', format: 'uuid' }, 'code'],
  ['server', { type: 'string', format: 'ipv4' }, 'code'],
  ['email', { type: 'string', format: 'email' }, 'email'],
  ['url', { type: 'string', format: 'uri' }, 'url'],
  // codes from patterns
  ['order_id', { type: 'string', pattern: '^[A-Z]{2}-\\d{5}$' }, 'code'],
  // strings by name
  ['recipient', { type: 'string' }, 'person'],
  ['city', { type: 'string' }, 'place'],
  ['title', { type: 'string' }, 'title'],
  ['message', { type: 'string' }, 'text'],
  ['query', { type: 'string' }, 'query'],
  ['note', { type: ['string', 'null'] }, 'text'],
  ['flavour', { type: 'string' }, 'word'],
  // containers
  ['tags', { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 1 }, 'array'],
  ['pickup', { type: 'object', properties: { address: { type: 'string' }, time: { type: 'string', pattern: '^\\d{2}:\\d{2}$' } }, required: ['address'] }, 'object'],
];

test('each schema gets its kind, and its drawn values pass the schema', () => {
  const rng = new Rng(4);
  for (const [name, schema, kind] of CASES) {
    const spec = specFromSchema(name, schema);
    assert.equal(spec.kind, kind, name);
    const v = compileSchema(schema);
    assert.ok(v.ok, name);
    let valid = 0;
    for (let i = 0; i < 50; i++) {
      const value = drawValue(rng, spec);
      if (value !== null && v.validate(value)) valid++;
    }
    // Most draws pass; the starter path (starter.ts) re-checks every call and redraws the rest.
    assert.ok(valid >= 20, `${name} ${JSON.stringify(schema)}: ${valid}/50 valid draws`);
  }
});

test('the tool keeps its real schema; only the drawing view changes', () => {
  const schema = { type: 'string', format: 'time' };
  const spec = specFromSchema('at', schema);
  assert.deepEqual(schema, { type: 'string', format: 'time' });
  assert.equal(typeof spec.schema.pattern, 'string');
});
