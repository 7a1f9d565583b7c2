import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCodec } from '../../../src/core/codecs';
import { PromptRenderer } from '../../../src/core/prompt';
import { loadTokenizer, qwen3TokenizerFolder } from '../../../src/core/tokenizer';
import type { DatasetRow, ToolDef } from '../../../src/core/types';
import { resolveConfig } from '../../../src/train/config';
import { FEW_SHOT_HEADER } from '../../../src/train/fewShot';
import { Policy } from '../../../src/train/policy';
import { Rng } from '../../../src/train/rng';
import { SELF_EXEMPLIFY_INSTRUCTION } from '../../../src/train/selfExemplify';

const tools: ToolDef[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
const row = (id: string, city: string): DatasetRow => ({ id, tools, messages: [{ role: 'user', content: `Weather in ${city}?` }], expected: [{ name: 'get_weather', arguments: { city } }] });
const rows = [row('a', 'Paris'), row('b', 'Rome'), row('c', 'Oslo')];
const tok = loadTokenizer(qwen3TokenizerFolder());
const call = (city: string) => `<tool_call>\n{"name": "get_weather", "arguments": {"city": "${city}"}}\n</tool_call>`;

test('plain policy: prompt with tools, SFT target ends with the end-of-turn token, completions decoded and scored', () => {
  const p = new Policy(new PromptRenderer(tok), getCodec('hermes'), resolveConfig(), rows);
  const pr = p.prompt(rows[0]);
  assert.ok(pr.text.includes('<tools>') && pr.text.includes('Weather in Paris?'));
  assert.ok(!pr.text.includes(FEW_SHOT_HEADER));
  const target = p.sftTarget(rows[0]);
  assert.equal(target.at(-1), tok.tokenId('<|im_end|>'));
  assert.equal(p.decode(target), call('Paris'));
  assert.ok(p.stopIds.includes(tok.tokenId('<|im_end|>')!));
  const right = p.score(rows[0], call('Paris'));
  assert.deepEqual([right.correct, right.reward, right.formatValid], [true, 1, true]);
  const wrong = p.score(rows[0], `Sure! ${call('Paris')}`);
  assert.deepEqual([wrong.correct, wrong.reward], [false, 0]); // paper 1's strict gate: text around the call
});

test('ToolExpander policy: demonstrations for hard rows, the self-example scored apart from the answer', () => {
  const cfg = resolveConfig({ preset: 'toolexpander' });
  const p = new Policy(new PromptRenderer(tok), getCodec('hermes'), cfg, rows);
  const plain = p.prompt(rows[0]).text;
  assert.ok(plain.includes(SELF_EXEMPLIFY_INSTRUCTION));
  const withDemos = p.prompt(rows[0], new Rng(1)).text;
  assert.ok(withDemos.includes(FEW_SHOT_HEADER));
  assert.ok(withDemos.includes('Request: Weather in Rome?') || withDemos.includes('Request: Weather in Oslo?'));
  assert.ok(!withDemos.includes('Request: Weather in Paris?'), 'a row is never its own demonstration');
  const example = `<example>\nrequest: Weather in Lima?\ncall: ${call('Lima')}\ncheck: Lima is the city.\n</example>\n`;
  const s = p.score(rows[0], example + call('Paris'));
  assert.equal(s.correct, true);
  assert.equal(s.parts.self_example, 0.01);
  assert.equal(s.reward, 1.01);
  const noExample = p.score(rows[0], call('Paris'));
  assert.equal(noExample.parts.self_example, 0);
  assert.equal(noExample.reward, 1);
});
