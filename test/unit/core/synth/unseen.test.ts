// The two held-out domains measure transfer (issue 11): Nano's corpus must never contain their tools. Over thousands
// of generated domains at every curriculum level, no tool name and no tool description equals one of theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomDomain } from '../../../../src/core/synth/index';
import { parseTools } from '../../../../src/core/tools';
import { Rng } from '../../../../src/core/rng';

const ROOT = join(__dirname, '../../../..');
const HELD_OUT = ['sample-workspace/tools.json', 'test/fixtures/domain2/tools.json'].flatMap((f) => {
  const { tools, diagnostics } = parseTools(readFileSync(join(ROOT, f), 'utf8'), f);
  assert.deepEqual(diagnostics, [], f);
  return tools;
});
const norm = (s: string) => s.trim().toLowerCase().replace(/[\s_.-]+/g, ' ').replace(/\.$/, '');

test('the held-out tools are read (19 tools)', () => {
  assert.equal(HELD_OUT.length, 19);
});

test('no generated tool name or description equals one of sample-workspace/ or domain2/', () => {
  const names = new Set(HELD_OUT.map((t) => norm(t.function.name)));
  const descriptions = new Set(HELD_OUT.map((t) => norm(t.function.description ?? '')));
  const rng = new Rng(20250611);
  let tools = 0;
  for (let i = 0; i < 6000; i++) {
    // Every curriculum level, from 0 to 1 and the full level often (it has the most tools).
    const level = i % 3 === 0 ? 1 : (i % 101) / 100;
    for (const t of randomDomain(rng, level).tools) {
      tools++;
      assert.ok(!names.has(norm(t.def.function.name)), `generated held-out name ${t.def.function.name}`);
      assert.ok(!descriptions.has(norm(t.def.function.description ?? '')), `generated held-out description ${t.def.function.description}`);
    }
  }
  assert.ok(tools > 20000, `only ${tools} tools generated`);
});
