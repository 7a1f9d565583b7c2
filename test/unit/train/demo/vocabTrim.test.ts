import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer, qwen3TokenizerFolder, writeTokenizerFolder } from '../../../../src/core/tokenizer';
import { PromptRenderer } from '../../../../src/core/prompt';
import { byteLevelAlphabet, trimVocabulary } from '../../../../src/train/demo/vocabTrim';
import type { DatasetRow, ToolDef } from '../../../../src/core/types';

const tools: ToolDef[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } } },
  { type: 'function', function: { name: 'set_timer', description: 'Start a countdown timer.',
    parameters: { type: 'object', properties: { minutes: { type: 'integer' } }, required: ['minutes'] } } },
];
const cities = ['Paris', 'Lisbon', 'Osaka', 'Nairobi', 'Quito', 'Reykjavík'];
const rows: DatasetRow[] = cities.flatMap((c, i) => [
  { id: `w${i}`, messages: [{ role: 'user', content: `What's the weather in ${c}, in celsius?` }], tools,
    expected: [{ name: 'get_weather', arguments: { city: c, unit: 'celsius' } }] },
  { id: `t${i}`, messages: [{ role: 'user', content: `Set a timer for ${i * 7 + 3} minutes.` }], tools,
    expected: [{ name: 'set_timer', arguments: { minutes: i * 7 + 3 } }] },
]);
const answer = (r: DatasetRow) => r.expected.map((c) => `<tool_call>\n${JSON.stringify(c)}\n</tool_call>`).join('\n');

test('the trimmed Qwen3 tokenizer encodes the domain exactly as the full one (renumbered), and anything else still round-trips', () => {
  const full = loadTokenizer(qwen3TokenizerFolder());
  const src = join(qwen3TokenizerFolder());
  const json = JSON.parse(readFileSync(join(src, 'tokenizer.json'), 'utf8'));
  const cfg = JSON.parse(readFileSync(join(src, 'tokenizer_config.json'), 'utf8'));
  const fullRenderer = new PromptRenderer(full);
  const texts = rows.flatMap((r) => [fullRenderer.renderText(r), answer(r)]);
  const t = trimVocabulary(full, json, cfg, texts, { padToMultipleOf: 64 });
  console.log(`trimmed vocabulary: ${t.vocabSize} tokens (${t.usedTokens} used incl. 256 bytes, +${t.closureTokens} merge ancestors, ` +
    `${t.merges} merges), model vocab_size ${t.modelVocabSize}, from ${full.vocabSize}`);
  assert.ok(t.vocabSize < 3000 && t.vocabSize > 256 + 26);
  assert.equal(t.modelVocabSize % 64, 0);

  const dir = mkdtempSync(join(tmpdir(), 'tt-trim-'));
  try {
    writeTokenizerFolder(dir, t.tokenizerJson, t.tokenizerConfig);
    const small = loadTokenizer(dir);
    assert.equal(small.vocabSize, t.vocabSize);
    assert.equal(small.chatTemplate, full.chatTemplate);
    assert.deepEqual(small.stopTokenIds.map((id) => small.decode([id])).sort(), ['<|endoftext|>', '<|im_end|>']);
    const smallRenderer = new PromptRenderer(small);
    for (const r of rows) {
      const a = fullRenderer.render(r);
      const b = smallRenderer.render(r);
      assert.equal(b.text, a.text);
      // Same pieces, new numbers: the trimmed ids are the full ids mapped.
      assert.deepEqual(b.ids, a.ids.map((id) => t.idMap.get(id)));
      assert.equal(small.decode(b.ids), a.text);
      const target = smallRenderer.sftTargetIds(answer(r));
      assert.equal(small.decode(target), answer(r) + '<|im_end|>');
      assert.ok(b.ids.every((id) => id < t.vocabSize));
    }
    // Out of domain: still total, in smaller pieces.
    for (const text of ['Book a flight to Ulaanbaatar next Thursday!', 'Grüße aus Köln — 東京タワー 🗼', 'fn main() { println!("{}", 42); }']) {
      const ids = small.encode(text);
      assert.equal(small.decode(ids), text);
      assert.ok(ids.length >= full.encode(text).length);
    }
    // All 256 byte tokens are there.
    for (const ch of byteLevelAlphabet()) assert.notEqual(small.tokenId(ch), null);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a non-BPE tokenizer is refused with a clear message', () => {
  const full = loadTokenizer(qwen3TokenizerFolder());
  assert.throws(() => trimVocabulary(full, { model: { type: 'Unigram', vocab: [] } }, {}, []), /byte-level BPE/);
});
