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

test("ToolTune Nano's variant: the description follows each signature and the tool instructions are brief", () => {
  const tpl = compactToolsTemplate(qwen3Cfg.chat_template, { descriptions: true, brief: true });
  const tok = tokenizerFromJson(qwen3Json, { ...qwen3Cfg, chat_template: tpl });
  const messages = [{ role: 'user', content: 'Warm the kitchen to 21.' }];
  const text = tok.apply_chat_template(messages as never, { tools: TOOLS as never, tokenize: false, add_generation_prompt: true }) as string;
  assert.ok(text.includes('<tools>\nset_thermostat(room: kitchen|bedroom, temperature: number, mode?: heat|cool) - Set a room temperature.\n' +
    'ping() - No parameters.\nnote(text?: string, tags?: array)\n</tools>'), text); // no description: nothing after the signature
  assert.ok(text.includes('Answer with <tool_call></tool_call> blocks, or in words when no tool fits.'), text);
  assert.ok(!text.includes('You may call one or more functions') && !text.includes('<function-name>'), text);
  // Without tools the template is Qwen3's own.
  const plain = tok.apply_chat_template(messages as never, { tokenize: false, add_generation_prompt: true });
  assert.equal(plain, tokenizerFromJson(qwen3Json, qwen3Cfg).apply_chat_template(messages as never, { tokenize: false, add_generation_prompt: true }));
});

test('the brief variant refuses a template whose instructions changed, naming the constants to update', () => {
  const changed = compactToolsTemplate(qwen3Cfg.chat_template).replace('You may call one or more functions', 'You can call functions');
  assert.throws(() => compactToolsTemplate(changed.replace(/\{%- set f = tool\.function[\s\S]*?\{\{- '\)' \}\}/, '{{- tool | tojson }}'), { brief: true }),
    /QWEN3_TOOLS_INTRO/);
});
