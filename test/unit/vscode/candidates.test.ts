import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHubId, looksLikeDataset, looksLikeModelFolder, looksLikeTools, parseSplitPercent } from '../../../src/vscode/candidates';

test('tools files are recognised by content in every accepted shape', () => {
  const fn = { name: 'get_weather', description: 'w', parameters: { type: 'object', properties: {} } };
  // OpenAI tools array
  assert.deepEqual(looksLikeTools(JSON.stringify([{ type: 'function', function: fn }, { type: 'function', function: { ...fn, name: 'b' } }])), { ok: true, count: 2 });
  // {"tools": [...]} wrapper and MCP tools/list result with inputSchema
  assert.equal(looksLikeTools(JSON.stringify({ tools: [fn] })).count, 1);
  assert.equal(looksLikeTools(JSON.stringify({ result: { tools: [{ name: 'x', inputSchema: {} }] } })).count, 1);
  // a single bare function
  assert.deepEqual(looksLikeTools(JSON.stringify(fn)), { ok: true, count: 1 });
});

test('ordinary JSON files are not offered as tools', () => {
  assert.equal(looksLikeTools('{"name":"my-package","version":"1.0.0"}').count, 0);   // package.json: no parameters
  assert.equal(looksLikeTools('{"compilerOptions":{}}').count, 0);
  assert.equal(looksLikeTools('[]').count, 0);
  assert.equal(looksLikeTools('not json').count, 0);
  // a mixed array still counts its tools, but is flagged as not entirely tools
  assert.deepEqual(looksLikeTools(JSON.stringify([{ name: 'a', parameters: {} }, 3])), { ok: false, count: 1 });
});

test('datasets are JSONL whose first row has a known shape', () => {
  assert.equal(looksLikeDataset('\n{"id":"1","messages":[],"expected":[]}\n{"id":"2"}'), true);
  assert.equal(looksLikeDataset('{"query":"q","tools":"[]","answers":"[]"}'), true);            // xLAM
  assert.equal(looksLikeDataset('{"conversations":[]}'), true);                                 // ShareGPT
  assert.equal(looksLikeDataset('{"step":1,"reward":0.5}'), false);                             // a metrics file
  assert.equal(looksLikeDataset(''), false);
});

test('model folders, hub ids and split percents', () => {
  assert.equal(looksLikeModelFolder(['config.json', 'model.safetensors', 'tokenizer.json']), true);
  assert.equal(looksLikeModelFolder(['config.json', 'pytorch_model.bin']), false);             // never unpickled
  assert.equal(isHubId('Qwen/Qwen2.5-0.5B-Instruct'), true);
  assert.equal(isHubId('Qwen2.5'), false);
  assert.equal(isHubId('../etc/passwd'), false);
  assert.equal(parseSplitPercent('10'), 10);
  assert.equal(parseSplitPercent(' 12.5 % '), 12.5);
  assert.equal(parseSplitPercent('0'), undefined);
  assert.equal(parseSplitPercent('80'), undefined);
});
