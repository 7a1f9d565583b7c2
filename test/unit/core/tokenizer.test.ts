import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyQwen3Tokenizer, loadTokenizer, qwen3TokenizerFolder, TokenizerError } from '../../../src/core/tokenizer';

const qwen = () => loadTokenizer(qwen3TokenizerFolder());

test('loads the real Qwen3 tokenizer from local files with its special and stop ids', () => {
  const tok = qwen();
  assert.equal(tok.tokenizerClass, 'Qwen2Tokenizer');
  assert.equal(tok.vocabSize, 151669); // 151,643 BPE tokens + 26 added tokens
  assert.equal(tok.tokenId('<|im_end|>'), 151645);
  assert.equal(tok.tokenId('<|endoftext|>'), 151643);
  assert.equal(tok.eosTokenId, 151645);
  assert.equal(tok.padTokenId, 151643);
  assert.deepEqual([...tok.stopTokenIds].sort(), [151643, 151645]);
  assert.equal(tok.tokenId('<tool_call>'), 151657);
  assert.equal(tok.tokenId('no such token here'), null);
});

test('encode/decode round trip, including special tokens and non-ASCII text', () => {
  const tok = qwen();
  for (const text of ['Weather in Paris, in celsius?', '<|im_start|>user\nhi<|im_end|>\n', 'Zürich → 東京 🚆 "q": 3.5', '']) {
    const ids = tok.encode(text);
    assert.equal(tok.decode(ids), text);
  }
  assert.deepEqual(tok.encode('<|im_end|>'), [151645]);
  assert.equal(tok.decode(tok.encode('a<|im_end|>'), { skipSpecialTokens: true }), 'a');
});

test('a folder whose tokenizer_config.json has no chat_template is a clear error naming the file and the fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-tok-'));
  try {
    copyQwen3Tokenizer(dir);
    const cfgFile = join(dir, 'tokenizer_config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    delete cfg.chat_template;
    writeFileSync(cfgFile, JSON.stringify(cfg));
    assert.throws(() => loadTokenizer(dir), (e: unknown) => {
      assert.ok(e instanceof TokenizerError);
      assert.match(e.message, /tokenizer_config\.json/);
      assert.match(e.message, /chat_template/);
      assert.match(e.message, /instruct/);
      return true;
    });
    // Still loadable for plain encoding when the caller says so.
    const tok = loadTokenizer(dir, { requireChatTemplate: false });
    assert.equal(tok.decode(tok.encode('hello')), 'hello');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('missing and corrupt tokenizer files are errors naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-tok-'));
  try {
    assert.throws(() => loadTokenizer(dir), /tokenizer\.json: tokenizer\.json not found\. .*tokenizer_config\.json/);
    writeFileSync(join(dir, 'tokenizer.json'), '<html>rate limited</html>');
    writeFileSync(join(dir, 'tokenizer_config.json'), '{}');
    assert.throws(() => loadTokenizer(dir), /tokenizer\.json: is not valid JSON .*Re-download/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a chat_template.jinja file next to the config is used when the config has none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-tok-'));
  try {
    copyQwen3Tokenizer(dir);
    const cfgFile = join(dir, 'tokenizer_config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    delete cfg.chat_template;
    writeFileSync(cfgFile, JSON.stringify(cfg));
    writeFileSync(join(dir, 'chat_template.jinja'), '{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}');
    const tok = loadTokenizer(dir);
    assert.equal(tok.renderChat([{ role: 'user', content: 'hi' }]), '[user] hi\n');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
