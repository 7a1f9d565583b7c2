// Stopping at the codec's end of call: generation for a `call:` ghost text ends as soon as one complete call is out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCodec } from '../../../src/core/codecs';
import { argmax, endsWithCompleteCall } from '../../../src/infer/decode-rules';

test('hermes: stops after </tool_call>, not inside the JSON', () => {
  const h = getCodec('hermes');
  const call = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
  assert.equal(endsWithCompleteCall(h, call), true);
  assert.equal(endsWithCompleteCall(h, call.slice(0, -3)), false);          // "</tool_ca"
  assert.equal(endsWithCompleteCall(h, '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}'), false);
  assert.equal(endsWithCompleteCall(h, 'Sure! The weather is nice.'), false);
});

test('json: stops when the object closes', () => {
  const j = getCodec('json');
  assert.equal(endsWithCompleteCall(j, '{"name": "f", "arguments": {"a": 1}}'), true);
  assert.equal(endsWithCompleteCall(j, '{"name": "f", "arguments": {"a": 1}'), false);
});

test('argmax finds the first maximum within the window', () => {
  const d = Float32Array.from([9, 1, 5, 7, 7, 2]);
  assert.equal(argmax(d, 1, 5), 2);   // window [1,5,7,7,2]: first 7 at index 2
  assert.equal(argmax(d, 0, 6), 0);
  assert.equal(argmax(Float32Array.from([-Infinity, -3]), 0, 2), 1);
});
