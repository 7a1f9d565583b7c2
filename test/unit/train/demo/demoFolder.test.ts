import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer } from '../../../../src/core/tokenizer';
import { PromptRenderer } from '../../../../src/core/prompt';
import { getCodec } from '../../../../src/core/codecs';
import { createDemoFolder } from '../../../../src/train/demo/demoFolder';
import { DEMO_MODEL } from '../../../../src/train/demo/recipe';
import type { DatasetRow } from '../../../../src/core/types';

const root = new URL('../../../../', import.meta.url).pathname;
function sampleRows(file: string, n: number): DatasetRow[] {
  const tools = JSON.parse(readFileSync(join(root, 'sample-workspace/tools.json'), 'utf8'));
  return readFileSync(join(root, 'sample-workspace', file), 'utf8').trim().split('\n').slice(0, n)
    .map((l) => ({ tools, ...JSON.parse(l) }));
}

test('the demo folder holds a qwen3 config sized to the trimmed tokenizer, and every row encodes within it', { skip: !existsSync(join(root, 'sample-workspace/train.jsonl')) && 'sample-workspace not generated yet' }, () => {
  const rows = [...sampleRows('train.jsonl', 300), ...sampleRows('eval.jsonl', 50)];
  const hermes = getCodec('hermes');
  const dir = mkdtempSync(join(tmpdir(), 'tt-demo-'));
  try {
    const made = createDemoFolder(dir, { rows, answerText: (r) => hermes.format(r.expected) });
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(cfg.model_type, 'qwen3');
    assert.equal(cfg.num_hidden_layers, DEMO_MODEL.num_hidden_layers);
    assert.equal(cfg.vocab_size, made.vocabSize);
    assert.equal(cfg.vocab_size % 64, 0);
    assert.ok(made.tokenizerSize <= cfg.vocab_size && made.tokenizerSize > 282);
    assert.equal(cfg.tie_word_embeddings, true);
    const tok = loadTokenizer(dir);
    assert.equal(cfg.eos_token_id, tok.tokenId('<|im_end|>'));
    assert.equal(cfg.pad_token_id, tok.tokenId('<|endoftext|>'));
    const gen = JSON.parse(readFileSync(join(dir, 'generation_config.json'), 'utf8'));
    assert.deepEqual([...gen.eos_token_id].sort(), [...tok.stopTokenIds].sort());
    const r = new PromptRenderer(tok);
    let maxLen = 0;
    for (const row of rows) {
      const p = r.render(row);
      const target = r.sftTargetIds(hermes.format(row.expected));
      assert.equal(tok.decode(p.ids), p.text);
      assert.ok([...p.ids, ...target].every((id) => id < cfg.vocab_size));
      maxLen = Math.max(maxLen, p.ids.length + target.length);
    }
    assert.ok(maxLen < cfg.max_position_embeddings);
    // The demo template writes each tool as a signature line, not its JSON schema (compactTools.ts): the prompt
    // names every tool with its enum values, carries no description, and stays a few hundred tokens.
    const first = r.render(rows[0]!);
    assert.match(first.text, /<tools>\nget_weather\(city: string, unit\?: celsius\|fahrenheit, days\?: integer\)\n/);
    assert.doesNotMatch(first.text, /"description"/);
    assert.ok(first.ids.length < 450, `prompt ${first.ids.length} tokens`);
    console.log(`demo tokenizer: ${made.tokenizerSize} tokens (vocab_size ${made.vocabSize}) from ${rows.length} rows; longest row ${maxLen} tokens`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('no rows is a clear error', () => {
  assert.throws(() => createDemoFolder(join(tmpdir(), 'never'), { rows: [], answerText: () => '' }), /no dataset rows.*sample-workspace/);
});
