import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTokenizer, qwen3TokenizerFolder } from '../../../src/core/tokenizer';
import { PromptRenderer } from '../../../src/core/prompt';
import type { DatasetRow, ToolDef } from '../../../src/core/types';

const tools: ToolDef[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } } },
  { type: 'function', function: { name: 'set_timer', description: 'Start a countdown timer.',
    parameters: { type: 'object', properties: { minutes: { type: 'integer' } }, required: ['minutes'] } } },
];
const row = (content: string, t: ToolDef[] = tools): DatasetRow =>
  ({ id: 'r', messages: [{ role: 'user', content }], tools: t, expected: [] });

const renderer = () => new PromptRenderer(loadTokenizer(qwen3TokenizerFolder()));

test('a rendered prompt holds the tools JSON in <tools> and ends with the assistant generation prompt (no thinking)', () => {
  const r = renderer();
  const { text, ids } = r.render(row('Weather in Paris, in celsius?'));
  const shown = text.slice(text.indexOf('<tools>\n') + 8, text.indexOf('\n</tools>')).split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(shown, tools);
  assert.ok(text.startsWith('<|im_start|>system\n'));
  assert.ok(text.includes('<|im_start|>user\nWeather in Paris, in celsius?<|im_end|>\n'));
  assert.ok(text.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n'), JSON.stringify(text.slice(-60)));
  assert.equal(r.tokenizer.decode(ids), text);
  assert.deepEqual(ids, r.tokenizer.encode(text));
});

test('thinking mode can be switched on: the prompt then stops at the bare assistant header', () => {
  const text = renderer().renderText(row('hi'), { enableThinking: true });
  assert.ok(text.endsWith('<|im_start|>assistant\n'));
});

test('a system prefix (few-shot demonstrations) lands in the system turn before the tools, merged with a row system message', () => {
  const r = renderer();
  const demo = 'Example: "Timer for 5 minutes" → <tool_call>\n{"name": "set_timer", "arguments": {"minutes": 5}}\n</tool_call>';
  const a = r.renderText(row('Timer for 3 minutes'), { systemPrefix: demo });
  assert.ok(a.startsWith(`<|im_start|>system\n${demo}\n\n# Tools`));
  const withSys: DatasetRow = { ...row('x'), messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'x' }] };
  const b = r.renderText(withSys, { systemPrefix: 'DEMO' });
  assert.ok(b.startsWith('<|im_start|>system\nDEMO\n\nBe brief.\n\n# Tools'));
  // The row itself is not modified.
  assert.equal(withSys.messages[0].content, 'Be brief.');
});

test('a row without tools renders without a tools section', () => {
  const text = renderer().renderText(row('Hello', []));
  assert.ok(!text.includes('<tools>'));
  assert.ok(text.startsWith('<|im_start|>user\nHello<|im_end|>'));
});

test('the SFT target is the gold answer followed by <|im_end|> and continues the prompt exactly as the template does', () => {
  const r = renderer();
  const answer = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}\n</tool_call>';
  const target = r.sftTargetIds(answer);
  assert.equal(target.at(-1), r.tokenizer.tokenId('<|im_end|>'));
  assert.equal(r.tokenizer.decode(target), answer + '<|im_end|>');
  // prompt + target = the template's own rendering of the conversation with that answer, token for token.
  const p = r.render(row('Weather in Paris, in celsius?'));
  const full = r.tokenizer.renderChat([{ role: 'user', content: 'Weather in Paris, in celsius?' }, { role: 'assistant', content: answer }],
    { tools, templateVars: { enable_thinking: false } });
  assert.deepEqual([...p.ids, ...target], r.tokenizer.encode(full.replace(/\n$/, '')));
});

test('the segment cache gives the same ids as plain encoding, and 1,000 renders take well under a few seconds', () => {
  const r = renderer();
  const tok = r.tokenizer;
  const cities = ['Paris', 'Zürich', 'São Paulo', 'Kyiv', 'New York', '東京'];
  for (let i = 0; i < 30; i++) {
    const text = r.renderText(row(`Weather in ${cities[i % cities.length]} #${i}, in celsius?`));
    assert.deepEqual(r.encode(text), tok.encode(text));
  }
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < 1000; i++) n += r.promptIds(row(`Set a timer for ${i} minutes, then check the weather in ${cities[i % 6]}.`)).length;
  const ms = performance.now() - t0;
  const plain0 = performance.now();
  for (let i = 0; i < 200; i++) tok.encode(r.renderText(row(`Set a timer for ${i} minutes, then check the weather in ${cities[i % 6]}.`)));
  const plainMs = (performance.now() - plain0) * 5;
  console.log(`1,000 prompt renders+encodes: ${ms.toFixed(0)} ms with the segment cache (${(n / 1000).toFixed(0)} tokens each), ` +
    `~${plainMs.toFixed(0)} ms without; cache ${JSON.stringify(r.cacheStats())}`);
  assert.ok(r.cacheStats().hits >= 1000);
  assert.ok(ms < 10_000);
});
