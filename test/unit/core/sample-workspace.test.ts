// The sample workspace and domain2 are what scripts/gen-workspace.ts writes (seeded), validate cleanly, and have
// the shape the brief asks for: ≥ 8 tools with enums, numbers, nested objects and optional parameters; single,
// two-call and ≥ 10% no-call rows; no eval request that also appears in train; values verbatim in the request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset, loadTools, requestText, rowCategory, type Json } from '../../../src/core/index';
import { TARGETS, buildSplits } from '../../../scripts/gen-workspace';

const ROOT = join(__dirname, '../../..');

function leaves(v: Json, out: string[] = []): string[] {
  if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
  else if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => leaves(x, out));
  return out;
}

for (const t of TARGETS) {
  test(`${t.dir}: committed files equal the generator's output`, () => {
    const s = buildSplits(t);
    assert.equal(readFileSync(join(ROOT, t.dir, 'tools.json'), 'utf8'), s.tools);
    assert.equal(readFileSync(join(ROOT, t.dir, 'train.jsonl'), 'utf8'), s.train);
    assert.equal(readFileSync(join(ROOT, t.dir, 'eval.jsonl'), 'utf8'), s.eval);
  });

  test(`${t.dir}: validates, has the required mix, and eval requests are unseen in train`, async () => {
    const tools = await loadTools(join(ROOT, t.dir, 'tools.json'));
    assert.deepEqual(tools.diagnostics, []);
    assert.ok(tools.tools.length >= 8);
    const schemas = JSON.stringify(tools.tools);
    for (const feature of ['"enum"', '"number"', '"integer"', '"type":"object","properties"', '"type":"array"']) assert.ok(schemas.includes(feature), feature);
    assert.ok(tools.tools.some((x) => (x.function.parameters.required ?? []).length < Object.keys(x.function.parameters.properties ?? {}).length), 'optional parameters');
    const train = await loadDataset(join(ROOT, t.dir, 'train.jsonl'), { tools: tools.tools });
    const ev = await loadDataset(join(ROOT, t.dir, 'eval.jsonl'), { tools: tools.tools });
    assert.deepEqual([...train.diagnostics, ...ev.diagnostics], []);
    assert.ok(train.kept >= 600 && ev.kept >= 200);
    for (const ds of [train, ev]) {
      const cats = { single: 0, parallel: 0, no_call: 0 };
      for (const r of ds.rows) cats[rowCategory(r)]++;
      assert.ok(cats.no_call / ds.kept >= 0.1, `no-call share ${cats.no_call / ds.kept}`);
      assert.ok(cats.parallel > 0 && cats.single > 0);
      // Every argument value the model must write appears verbatim in the request (so a tiny model can copy it).
      for (const r of ds.rows) {
        const req = requestText(r);
        for (const c of r.expected) {
          for (const [k, v] of Object.entries(c.arguments)) {
            if (c.optional?.includes(k)) continue;
            for (const leaf of leaves(v)) assert.ok(req.includes(leaf) || isEnumLike(k), `${r.id}: ${k}=${leaf} not in "${req}"`);
          }
        }
      }
    }
    const seen = new Set(train.rows.map(requestText));
    assert.equal(ev.rows.filter((r) => seen.has(requestText(r))).length, 0);
    assert.equal(new Set(ev.rows.map(requestText)).size, ev.kept);
  });
}

// Enum values are chosen by meaning ("cheapest first" → price_asc), not copied; everything else is copied.
function isEnumLike(param: string): boolean {
  return ['reason', 'sort', 'refund_method', 'channel', 'mode', 'seating', 'dietary', 'car_type', 'priority', 'unit', 'preferences'].includes(param);
}
