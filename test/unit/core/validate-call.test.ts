import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTools } from '../../../src/core/tools';
import { validateCall } from '../../../src/core/validate-call';

const { tools } = parseTools(JSON.stringify([
  { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer', minimum: 1 } }, required: ['city'] } },
  { name: 'free', parameters: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: true } },
  { name: 'closed', parameters: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false } },
]));

test('validateCall: readable errors for each way a call can be wrong', () => {
  const cases: Array<[string, { name: string; arguments: Record<string, unknown> }, string[]]> = [
    // valid
    ['ok', { name: 'get_weather', arguments: { city: 'Paris', days: 3 } }, []],
    // unknown tool lists the known ones
    ['unknown tool', { name: 'get_wether', arguments: {} }, ['unknown tool "get_wether"; known tools: get_weather, free, closed']],
    // missing required
    ['missing', { name: 'get_weather', arguments: {} }, ['missing required argument /city']],
    // enum
    ['enum', { name: 'get_weather', arguments: { city: 'P', unit: 'kelvin' } }, ['argument /unit must be one of: "celsius", "fahrenheit"']],
    // wrong type
    ['type', { name: 'get_weather', arguments: { city: 'P', days: 2.5 } }, ['argument /days must be integer']],
    // range
    ['minimum', { name: 'get_weather', arguments: { city: 'P', days: 0 } }, ['argument /days must be >= 1']],
    // invented argument
    ['undeclared', { name: 'get_weather', arguments: { city: 'P', mood: 'happy' } }, ['unknown argument /mood']],
    // a schema that allows extra properties accepts them
    ['allowed extra', { name: 'free', arguments: { a: 'x', b: 1 } }, []],
    // additionalProperties: false reports the extra once, not twice
    ['closed extra', { name: 'closed', arguments: { a: 'x', b: 1 } }, ['unknown argument /b']],
    // arguments that are not an object
    ['not an object', { name: 'free', arguments: [1] as never }, ['arguments of free must be an object']],
  ];
  for (const [name, call, errors] of cases) {
    const r = validateCall(call as never, tools);
    assert.deepEqual(r.errors, errors, name);
    assert.equal(r.ok, errors.length === 0, name);
  }
});

test('validators are compiled once and reused (fast enough for the inline provider)', () => {
  const t0 = performance.now();
  for (let i = 0; i < 20000; i++) validateCall({ name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }, tools);
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `20k validations took ${ms.toFixed(0)} ms`);
});
