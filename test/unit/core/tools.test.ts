import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTools, normaliseTools, parameterNames } from '../../../src/core/tools';

const params = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const openai = { type: 'function', function: { name: 'get_weather', description: 'Weather.', parameters: params } };
const expected = [{ type: 'function', function: { name: 'get_weather', description: 'Weather.', parameters: params } }];

test('every accepted tools shape normalises to the same OpenAI tools', () => {
  const shapes: Array<[string, unknown]> = [
    // OpenAI tools array
    ['openai array', [openai]],
    // {"tools": [...]} wrapper
    ['tools wrapper', { tools: [openai] }],
    // bare functions
    ['bare', [{ name: 'get_weather', description: 'Weather.', parameters: params }]],
    // MCP tools/list result (inputSchema)
    ['mcp', { tools: [{ name: 'get_weather', description: 'Weather.', inputSchema: params }] }],
    // a whole JSON-RPC response to tools/list
    ['mcp response', { jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'get_weather', description: 'Weather.', inputSchema: params }] } }],
    // one bare function object
    ['single', { name: 'get_weather', description: 'Weather.', parameters: params }],
  ];
  for (const [name, value] of shapes) {
    const r = parseTools(JSON.stringify(value, null, 2), `${name}.json`);
    assert.deepEqual(r.diagnostics, [], name);
    assert.deepEqual(r.tools, expected, name);
  }
});

test('a function without parameters takes none', () => {
  const r = parseTools('[{"name": "ping"}]');
  assert.deepEqual(r.tools[0]!.function.parameters, { type: 'object', properties: {} });
  assert.deepEqual(parameterNames(r.tools[0]!), []);
});

test('BFCL types are mapped to JSON Schema, with one warning per rewrite', () => {
  const r = parseTools(JSON.stringify([{ name: 'calc.area', parameters: { type: 'dict', properties: {
    shape: { type: 'string' }, dims: { type: 'tuple', items: { type: 'float' } }, extra: { type: 'any' },
  }, required: ['shape'] } }]));
  const p = r.tools[0]!.function.parameters as { type: string; properties: Record<string, { type?: string; items?: { type: string } }> };
  assert.equal(p.type, 'object');
  assert.equal(p.properties.dims!.type, 'array');
  assert.equal(p.properties.dims!.items!.type, 'number');
  assert.equal(p.properties.extra!.type, undefined);
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.pointer]), [
    ['warning', '/0/parameters/type'], ['warning', '/0/parameters/properties/dims/type'],
    ['warning', '/0/parameters/properties/dims/items/type'], ['warning', '/0/parameters/properties/extra/type'],
  ]);
});

test('invalid tools are dropped with an error, valid ones are kept', () => {
  const r = parseTools(JSON.stringify([openai, { name: 'bad name' }, { name: 'ok_2' }]));
  assert.deepEqual(r.tools.map((t) => t.function.name), ['get_weather', 'ok_2']);
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0]!.pointer, '/1/name');
});

test('normaliseTools reports paths relative to a base (used for per-row tools)', () => {
  const seen: string[] = [];
  normaliseTools([{ name: 'x', parameters: { type: 'object', required: ['y'] } }] as never, (p, s, m) => seen.push(`${s} ${p.join('/')} ${m}`), ['tools']);
  assert.deepEqual(seen, ['error tools/0/parameters/required/0 required parameter "y" of tool "x" is not in "properties"']);
});
