// Each codec: the gold text it writes, what it reads back, and what makes an output unclean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODEC_NAMES, NO_CALL_REPLY, codecForModelType, getCodec } from '../../../../src/core/codecs/index';
import type { ToolCall } from '../../../../src/core/types';

const W: ToolCall = { name: 'get_weather', arguments: { city: 'Zürich', unit: 'celsius' } };
const T: ToolCall = { name: 'set_timer', arguments: { minutes: 5, tags: ['a', "it's"], opts: { loud: true, note: null } } };

test('every codec round-trips single, parallel and no-call answers', () => {
  for (const name of CODEC_NAMES) {
    const c = getCodec(name);
    for (const calls of [[W], [W, T], []]) {
      const text = c.format(calls);
      const back = c.parse(text);
      assert.deepEqual(back.calls, calls, `${name}: ${text}`);
      assert.equal(back.clean, true, `${name}: ${text}`);
      assert.deepEqual(back.errors, []);
    }
  }
});

test('gold texts look like what the model families write', () => {
  assert.equal(getCodec('hermes').format([W]), '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}}\n</tool_call>');
  assert.equal(getCodec('hermes').format([W, W]).split('</tool_call>\n<tool_call>').length, 2);
  assert.equal(getCodec('hermes').format([]), NO_CALL_REPLY);
  assert.equal(getCodec('llama3-json').format([W]), '{"name": "get_weather", "parameters": {"city": "Zürich", "unit": "celsius"}}');
  assert.equal(getCodec('pythonic').format([W, { name: 'f', arguments: {} }]), "[get_weather(city='Zürich', unit='celsius'), f()]");
  assert.equal(getCodec('pythonic').format([T]), "[set_timer(minutes=5, tags=['a', 'it\\'s'], opts={'loud': True, 'note': None})]");
  assert.equal(getCodec('xlam').format([]), '{"tool_calls": []}');
  assert.equal(getCodec('json').format([]), '[]');
  assert.equal(getCodec('json').format([W, W]).startsWith('[{"name"'), true);
});

test('hermes: what is clean and what is not', () => {
  const h = getCodec('hermes');
  const block = h.format([W]);
  const cases: Array<[string, string, number, boolean, RegExp?]> = [
    // empty think block Qwen3 writes with thinking off is allowed
    ['empty think', `<think>\n\n</think>\n\n${block}`, 1, true],
    // prose before the calls
    ['text before', `Sure, here you go: ${block}`, 1, false, /text before/],
    // prose after the calls
    ['text after', `${block}\nDone!`, 1, false, /after/],
    // truncated block (max tokens hit)
    ['unterminated', '<tool_call>\n{"name": "get_weather", "arg', 0, false, /unterminated/],
    // invalid JSON inside
    ['bad json', '<tool_call>\n{name: get_weather}\n</tool_call>', 0, false, /invalid JSON/],
    // a bare JSON call without tags
    ['no tags', '{"name": "get_weather", "arguments": {}}', 0, false, /without <tool_call>/],
    // a stray closing tag
    ['stray close', `x</tool_call>`, 0, false, /without <tool_call>/],
    // arguments as a JSON string (OpenAI wire form) are decoded
    ['string args', '<tool_call>\n{"name": "f", "arguments": "{\\"a\\": 1}"}\n</tool_call>', 1, true],
    // a call object without a name
    ['no name', '<tool_call>\n{"arguments": {}}\n</tool_call>', 0, false, /no "name"/],
    // plain text answer: a clean no-call
    ['plain', 'I cannot do that.', 0, true],
    // whitespace only: empty
    ['blank', '  \n ', 0, false, /empty/],
  ];
  for (const [name, text, n, clean, err] of cases) {
    const r = h.parse(text);
    assert.equal(r.calls.length, n, name);
    assert.equal(r.clean, clean, name);
    if (err) assert.match(r.errors.join('; '), err, name);
  }
});

test('llama3-json: python_tag, parameters or arguments, several calls', () => {
  const l = getCodec('llama3-json');
  assert.deepEqual(l.parse('<|python_tag|>{"name": "get_weather", "parameters": {"city": "Zürich", "unit": "celsius"}}<|eom_id|>').calls, [W]);
  const two = l.parse('{"name": "a", "parameters": {}}; {"name": "b", "arguments": {"x": 1}}');
  assert.deepEqual(two.calls.map((c) => c.name), ['a', 'b']);
  assert.equal(two.clean, true);
  const trailing = l.parse('{"name": "a", "parameters": {}} and that is it');
  assert.equal(trailing.clean, false);
  assert.equal(trailing.calls.length, 1);
  assert.equal(l.parse('Let me call {"name": "a"}').clean, false);
  assert.equal(l.parse('The weather is nice.').clean, true);
});

test('pythonic: literals, errors, bare calls', () => {
  const p = getCodec('pythonic');
  const r = p.parse('[f(a=1, b=-2.5e3, c="x\\ny", d=(1, 2), e={"k": [True, False, None]}, g=1_000)]');
  assert.deepEqual(r.calls, [{ name: 'f', arguments: { a: 1, b: -2500, c: 'x\ny', d: [1, 2], e: { k: [true, false, null] }, g: 1000 } }]);
  assert.equal(r.clean, true);
  const cases: Array<[string, boolean, RegExp]> = [
    // positional argument
    ["[f('x')]", false, /keyword/],
    // a variable instead of a literal
    ['[f(a=b)]', false, /unknown name b/],
    // unterminated string
    ["[f(a='x)]", false, /unterminated string/],
    // bare call outside brackets
    ['f(a=1)', false, /inside \[ \]/],
    // repeated keyword
    ['[f(a=1, a=2)]', false, /given twice/],
    // text after the list
    ['[f()] thanks', false, /after the calls/],
  ];
  for (const [text, clean, err] of cases) {
    const x = p.parse(text);
    assert.equal(x.clean, clean, text);
    assert.match(x.errors.join('; '), err, text);
  }
  assert.equal(p.parse('f(a=1)').calls.length, 1);
  assert.equal(p.parse('[' + '['.repeat(200) + ']'.repeat(200) + ']').clean, false);
});

test('xlam and json: strict JSON only', () => {
  const x = getCodec('xlam');
  assert.deepEqual(x.parse('[{"name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}}]').calls, [W]);
  assert.equal(x.parse('No tool needed.').clean, false);
  assert.match(x.parse('{"tool_calls": {}}').errors.join(), /must be an array/);
  const j = getCodec('json');
  assert.equal(j.parse('```json\n[]\n```').clean, false);
  assert.equal(j.parse('  {"name": "f", "arguments": {}}  ').clean, true);
  assert.match(j.parse('{"name": "f", "arguments": [1]}').errors.join(), /must be an object/);
  assert.match(j.parse('[1, 2]').errors.join(), /must be a JSON object/);
});

test('getCodec and codecForModelType', () => {
  assert.equal(codecForModelType('qwen2').name, 'hermes');
  assert.equal(codecForModelType('qwen3').name, 'hermes');
  assert.equal(codecForModelType('llama').name, 'llama3-json');
  assert.throws(() => codecForModelType('gpt2'), /no tool-call format known for model_type "gpt2"/);
  assert.throws(() => getCodec('harmony'), /unknown codec "harmony"; use one of: hermes, llama3-json, pythonic, xlam, json/);
});

test('end-of-turn tokens left by the decoder are not text around the calls', () => {
  const cases: Array<[string, string]> = [
    ['hermes', '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call><|im_end|>'],
    ['hermes', '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>\n<|im_end|>\n<|endoftext|>'],
    ['llama3-json', '<|python_tag|>{"name": "f", "parameters": {}}<|eom_id|>'],
    ['pythonic', '[f()]<|eot_id|>'],
    ['xlam', '{"tool_calls": [{"name": "f", "arguments": {}}]}</s>'],
    ['json', '{"name": "f", "arguments": {}}<|im_end|>'],
  ];
  for (const [codec, text] of cases) {
    const r = getCodec(codec).parse(text);
    assert.deepEqual(r.calls, [{ name: 'f', arguments: {} }], `${codec}: ${text}`);
    assert.equal(r.clean, true, `${codec}: ${text}`);
  }
  // …but only at the end: a marker before the calls is still text
  assert.equal(getCodec('json').parse('<|im_end|>{"name": "f", "arguments": {}}').clean, false);
});
