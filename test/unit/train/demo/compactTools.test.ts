import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { qwen3TokenizerFolder, tokenizerFromJson } from '../../../../src/core/tokenizer';
import { compactToolsTemplate, toolSignature } from '../../../../src/train/demo/compactTools';

const qwen3Cfg = JSON.parse(readFileSync(join(qwen3TokenizerFolder(), 'tokenizer_config.json'), 'utf8'));
const qwen3Json = JSON.parse(readFileSync(join(qwen3TokenizerFolder(), 'tokenizer.json'), 'utf8'));

const TOOLS = [
  { type: 'function', function: { name: 'set_thermostat', description: 'Set a room temperature.', parameters: { type: 'object',
    properties: { room: { type: 'string', enum: ['kitchen', 'bedroom'] }, temperature: { type: 'number' }, mode: { type: 'string', enum: ['heat', 'cool'] } },
    required: ['room', 'temperature'] } } },
  { type: 'function', function: { name: 'ping', description: 'No parameters.', parameters: { type: 'object', properties: {} } } },
  { type: 'function', function: { name: 'note', parameters: { type: 'object', properties: { text: { type: 'string' }, tags: { type: 'array' } } } } },
];

test('the Jinja template writes each tool as the same signature line toolSignature gives, and nothing else changes', () => {
  const tok = tokenizerFromJson(qwen3Json, { ...qwen3Cfg, chat_template: compactToolsTemplate(qwen3Cfg.chat_template) });
  const messages = [{ role: 'user', content: 'Warm the kitchen to 21.' }];
  const text = tok.apply_chat_template(messages as never, { tools: TOOLS as never, tokenize: false, add_generation_prompt: true }) as string;
  const sigs = TOOLS.map((t) => toolSignature(t.function as never));
  assert.deepEqual(sigs, ['set_thermostat(room: kitchen|bedroom, temperature: number, mode?: heat|cool)', 'ping()', 'note(text?: string, tags?: array)']);
  assert.ok(text.includes(`<tools>\n${sigs.join('\n')}\n</tools>`), text);
  // Everything around the tools block is Qwen3's own: the same text with the JSON lines swapped back.
  const original = tokenizerFromJson(qwen3Json, qwen3Cfg).apply_chat_template(messages as never, { tools: TOOLS as never, tokenize: false, add_generation_prompt: true }) as string;
  const jsonLines = TOOLS.map((t) => original.split('\n').find((l) => l.includes(`"name": "${t.function.name}"`)));
  assert.ok(jsonLines.every(Boolean));
  assert.equal(text, original.replace(jsonLines.join('\n'), sigs.join('\n')));
});

test('a template without the tools JSON statement is refused with the file to update', () => {
  assert.throws(() => compactToolsTemplate('{{ messages }}'), /no longer contains.*compactTools\.ts/);
});
