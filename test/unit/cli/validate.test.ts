import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { validateCommand } from '../../../src/cli/commands/validate';

const ROOT = join(__dirname, '../../..');
const BAD = join(ROOT, 'test/fixtures/bad-input');

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { log: (s: string) => out.push(s), error: (s: string) => err.push(s) } };
}

test('the sample workspace and domain2 validate cleanly', async () => {
  for (const d of ['sample-workspace', 'test/fixtures/domain2']) {
    const c = collect();
    const code = await validateCommand(['--tools', join(ROOT, d, 'tools.json'), '--data', join(ROOT, d, 'train.jsonl'), '--data', join(ROOT, d, 'eval.jsonl')], c.io);
    assert.equal(code, 0, c.out.join('\n'));
    assert.match(c.out.join('\n'), /tools\.json: \d+ tools; 0 errors, 0 warnings/);
    assert.match(c.out.join('\n'), /train\.jsonl: \d+ rows kept, 0 skipped; 0 errors, 0 warnings/);
  }
});

test('errors print as file:line:col and exit 1; warnings alone exit 0', async () => {
  const c = collect();
  const code = await validateCommand(['--tools', join(BAD, '_tools.json'), '--data', join(BAD, 'data-crlf.jsonl'), '--data', join(BAD, 'data-duplicate-ids.jsonl')], c.io);
  assert.equal(code, 1);
  const text = c.out.join('\n');
  assert.match(text, /data-crlf\.jsonl:3:85: error: expected\[0\] calls unknown tool "nope" \[at \/expected\/0\/name\] — known tools: get_weather, set_timer/);
  assert.match(text, /data-duplicate-ids\.jsonl:2:8: error: duplicate id "ok-1"/);
  assert.match(text, /data-crlf\.jsonl: 2 rows kept, 1 skipped; 1 errors, 0 warnings/);
  const w = collect();
  assert.equal(await validateCommand(['--tools', join(BAD, 'tools-bfcl.json')], w.io), 0);
  assert.match(w.out[0]!, /tools-bfcl\.json:6:15: warning: BFCL type "dict"/);
  const j = collect();
  assert.equal(await validateCommand(['--tools', join(BAD, 'tools-empty.json'), '--json'], j.io), 1);
  const parsed = JSON.parse(j.out[0]!);
  assert.equal(parsed.ok, false);
  assert.equal(parsed.diagnostics[0].message, 'tools file is empty');
});

test('usage errors exit 2', async () => {
  const a = collect();
  assert.equal(await validateCommand([], a.io), 2);
  assert.match(a.err[0]!, /nothing to check/);
  const b = collect();
  assert.equal(await validateCommand(['--tool', 'x'], b.io), 2);
  assert.match(b.err[0]!, /Unknown option '--tool'/);
});

test('the real CLI entry point runs validate', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'validate', '--tools', 'test/fixtures/bad-input/tools-duplicate.json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^test\/fixtures\/bad-input\/tools-duplicate\.json:48:3: error: duplicate tool name "get_weather"/m);
});

test('a mistake repeated on every row is shown a few times, then counted', async () => {
  const c = collect();
  assert.equal(await validateCommand(['--data', join(ROOT, 'sample-workspace/eval.jsonl')], c.io), 1);
  const lines = c.out.filter((l) => l.includes('no "tools" and no tools file'));
  assert.equal(lines.length, 6);
  assert.match(c.out.join('\n'), /… 245 more like: row has no "tools" and no tools file was given/);
  assert.match(c.out.join('\n'), /eval\.jsonl: 0 rows kept, 250 skipped; 250 errors, 0 warnings/);
});
