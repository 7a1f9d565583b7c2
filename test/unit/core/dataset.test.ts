import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, parseDatasetText, requestText, rowCategory } from '../../../src/core/dataset';
import { readJsonlLines } from '../../../src/core/jsonl-reader';
import { parseTools } from '../../../src/core/tools';

const W = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] } } };
const { tools } = parseTools(JSON.stringify([W]));
const weather = { name: 'get_weather', arguments: { city: 'Paris' } };

test('native rows: tools filled in, categories, request text', () => {
  const text = [
    JSON.stringify({ id: 'a', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather in Paris?' }], expected: [weather] }),
    JSON.stringify({ id: 'b', messages: [{ role: 'user', content: 'Paris and Rome?' }], expected: [weather, { name: 'get_weather', arguments: { city: 'Rome' }, optional: ['unit'], accept: { city: ['Roma'] } }] }),
    JSON.stringify({ id: 'c', messages: [{ role: 'user', content: 'Hi' }], expected: [] }),
  ].join('\r\n');
  const r = parseDatasetText(text, 'x.jsonl', { tools });
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.kept, 3);
  assert.deepEqual(r.rows.map(rowCategory), ['single', 'parallel', 'no_call']);
  assert.equal(r.rows[0]!.tools, tools);
  assert.equal(requestText(r.rows[0]!), 'Weather in Paris?');
  assert.deepEqual(r.rows[1]!.expected[1], { name: 'get_weather', arguments: { city: 'Rome' }, optional: ['unit'], accept: { city: ['Roma'] } });
  assert.deepEqual(r.rows.map((x) => x.line), [1, 2, 3]);
});

test('importers: xLAM (JSON strings), OpenAI chat, ShareGPT with <tools> in the system turn', () => {
  const xlam = { id: 7, query: 'Weather in Paris?', tools: JSON.stringify([W.function]), answers: JSON.stringify([weather]) };
  const chat = { messages: [{ role: 'user', content: 'Weather in Paris?' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] }], tools: [W] };
  const chatNoCall = { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }], tools: [W] };
  const sharegpt = { conversations: [
    { from: 'system', value: `You may call tools.\n<tools>\n${JSON.stringify(W)}\n</tools>` },
    { from: 'human', value: 'Weather in Paris?' },
    { from: 'gpt', value: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>' },
  ] };
  const r = parseDatasetText([xlam, chat, chatNoCall, sharegpt].map((x) => JSON.stringify(x)).join('\n'), 'mixed.jsonl');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.kept, 4);
  assert.deepEqual(r.formats, { tooltune: 0, xlam: 1, 'openai-chat': 2, sharegpt: 1 });
  assert.deepEqual(r.rows.map((x) => x.id), ['7', 'line-2', 'line-3', 'line-4']);
  for (const i of [0, 1, 3]) assert.deepEqual(r.rows[i]!.expected, [weather]);
  assert.deepEqual(r.rows[2]!.expected, []);
  assert.deepEqual(r.rows[3]!.messages.map((m) => m.role), ['system', 'user']);
  assert.equal(r.rows[0]!.tools[0]!.function.name, 'get_weather');
});

test('a row with no tools and no tools file is an error naming the fix', () => {
  const r = parseDatasetText(JSON.stringify({ id: 'a', messages: [{ role: 'user', content: 'x' }], expected: [] }), 'x.jsonl');
  assert.equal(r.kept, 0);
  assert.match(r.diagnostics[0]!.message, /no "tools" and no tools file/);
  assert.match(r.diagnostics[0]!.hint!, /--tools/);
});

test('streaming: rows across 1 MB chunk boundaries keep their line numbers; onRow without collecting', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tooltune-ds-'));
  try {
    const lines: string[] = [];
    for (let i = 0; i < 12000; i++) {
      // Varying lengths so that lines straddle chunk boundaries at different offsets; some blank lines too.
      lines.push(JSON.stringify({ id: `r${i}`, messages: [{ role: 'user', content: `Weather in Paris ${'·'.repeat(i % 97)}` }], expected: [weather] }));
      if (i % 1000 === 999) lines.push('');
    }
    lines[5000] = '{"id": "broken"';
    const path = join(dir, 'big.jsonl');
    writeFileSync(path, lines.join('\n'));
    let seen = 0;
    let lastLine = 0;
    const r = await loadDataset(path, { tools, collect: false, onRow: (row) => { seen++; assert.ok(row.line! > lastLine); lastLine = row.line!; } });
    assert.equal(r.rows.length, 0);
    assert.equal(seen, 11999);
    assert.equal(r.kept, 11999);
    assert.equal(r.skipped, 1);
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0]!.line, 5001);
    assert.equal(lastLine, lines.length - 1); // the file ends with a blank line
    let n = 0;
    for await (const item of readJsonlLines(path)) if (item.kind === 'line') n++;
    assert.equal(n, 12000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('xLAM rows: Python-style parameter maps become JSON Schema (", optional" and defaults are not required)', () => {
  const tools = [{ name: 'live_giveaways_by_type', description: 'Giveaways.', parameters: {
    type: { description: 'Kind of giveaway.', type: 'str', default: 'game' },
    ids: { description: 'Ids.', type: 'List[int]' },
    limit: { description: 'Max.', type: 'int, optional' },
  } }];
  const row = { id: 1, query: 'Game giveaways 1 and 2, max 5', tools: JSON.stringify(tools), answers: JSON.stringify([{ name: 'live_giveaways_by_type', arguments: { type: 'game', ids: [1, 2], limit: 5 } }]) };
  const r = parseDatasetText(JSON.stringify(row), 'xlam.jsonl');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.rows[0]!.tools[0]!.function.parameters, { type: 'object', required: ['ids'], properties: {
    type: { type: 'string', description: 'Kind of giveaway.', default: 'game' },
    ids: { type: 'array', items: { type: 'integer' }, description: 'Ids.' },
    limit: { type: 'integer', description: 'Max.' },
  } });
  // a value of the wrong Python type is caught by the converted schema
  const bad = { ...row, answers: JSON.stringify([{ name: 'live_giveaways_by_type', arguments: { ids: '1,2' } }]) };
  assert.match(parseDatasetText(JSON.stringify(bad), 'xlam.jsonl').diagnostics[0]!.message, /argument \/ids must be array/);
});

test('ShareGPT rows in the hermes-function-calling style: Python-literal tools and calls', () => {
  const sys = "You are a function calling AI model. <tools> [{'type': 'function', 'function': {'name': 'get_stock_price', 'description': 'Price.', 'parameters': {'type': 'object', 'properties': {'symbol': {'type': 'string'}}, 'required': ['symbol']}}}] </tools>";
  const row = { id: 'h1', conversations: [
    { from: 'system', value: sys },
    { from: 'human', value: 'Price of AAPL?' },
    { from: 'gpt', value: "<tool_call>\n{'arguments': {'symbol': 'AAPL'}, 'name': 'get_stock_price'}\n</tool_call>" },
  ] };
  const r = parseDatasetText(JSON.stringify(row), 'hermes.jsonl');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.rows[0]!.expected, [{ name: 'get_stock_price', arguments: { symbol: 'AAPL' } }]);
  assert.equal(r.rows[0]!.tools[0]!.function.name, 'get_stock_price');
});
