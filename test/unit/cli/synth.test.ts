import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCommand } from '../../../src/cli/commands/synth';
import { loadDataset } from '../../../src/core/dataset';
import { loadTools } from '../../../src/core/tools';

const ROOT = join(__dirname, '../../..');
const SAMPLE_TOOLS = join(ROOT, 'sample-workspace/tools.json');

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { log: (s: string) => out.push(s), error: (s: string) => err.push(s) } };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tooltune-synth-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('writes N rows that validate against the tools file, says what it wrote and what it is', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'train.jsonl');
  const c = collect();
  assert.equal(await synthCommand(['--tools', SAMPLE_TOOLS, '--rows', '200', '--out', file], c.io), 0, c.err.join('\n'));
  const { tools } = await loadTools(SAMPLE_TOOLS);
  const ds = await loadDataset(file, { tools });
  assert.deepEqual(ds.diagnostics, []);
  assert.equal(ds.kept, 200);
  assert.deepEqual(readdirSync(dir), ['train.jsonl'], 'no F.tmp left behind');
  const text = c.out.join('\n');
  const m = text.match(/wrote 200 rows to .*train\.jsonl: (\d+) single-call, (\d+) two-call, (\d+) no-call; 10 of 10 tools used; all rows validated against/);
  assert.ok(m, text);
  assert.equal(Number(m[1]) + Number(m[2]) + Number(m[3]), 200);
  assert.match(text, /starter set: template phrasings around generated values, not real user requests/);
  assert.deepEqual(c.err, []);
});

test('the same tools and seed give the same file; another seed another', async (t) => {
  const dir = tempDir(t);
  const run = async (name: string, seed: string) => {
    assert.equal(await synthCommand(['--tools', SAMPLE_TOOLS, '--rows', '50', '--out', join(dir, name), '--seed', seed], collect().io), 0);
    return readFileSync(join(dir, name), 'utf8');
  };
  const a = await run('a.jsonl', '7');
  assert.equal(await run('b.jsonl', '7'), a);
  assert.notEqual(await run('c.jsonl', '8'), a);
});

test('an existing file is kept unless --force', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'train.jsonl');
  writeFileSync(file, 'my own rows\n');
  const c = collect();
  assert.equal(await synthCommand(['--tools', SAMPLE_TOOLS, '--rows', '5', '--out', file], c.io), 1);
  assert.equal(c.err.join('\n'), `tooltune synth: ${file} already exists; nothing written. Pass --force to overwrite it, or choose another --out.`);
  assert.equal(readFileSync(file, 'utf8'), 'my own rows\n');
  const f = collect();
  assert.equal(await synthCommand(['--tools', SAMPLE_TOOLS, '--rows', '5', '--out', file, '--force'], f.io), 0);
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 5);
});

test('never writes over the tools file or into a folder', async (t) => {
  const dir = tempDir(t);
  const tools = join(dir, 'tools.json');
  writeFileSync(tools, readFileSync(SAMPLE_TOOLS));
  const a = collect();
  assert.equal(await synthCommand(['--tools', tools, '--rows', '5', '--out', tools, '--force'], a.io), 1);
  assert.match(a.err[0]!, /is the tools file/);
  assert.deepEqual(readFileSync(tools), readFileSync(SAMPLE_TOOLS));
  mkdirSync(join(dir, 'data'));
  const b = collect();
  assert.equal(await synthCommand(['--tools', tools, '--rows', '5', '--out', join(dir, 'data'), '--force'], b.io), 1);
  assert.match(b.err[0]!, /is a folder/);
});

test('a tools file with errors: its diagnostics as file:line:col, exit 1, nothing written', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'out.jsonl');
  const bad = join(ROOT, 'test/fixtures/bad-input/tools-duplicate.json');
  const c = collect();
  assert.equal(await synthCommand(['--tools', bad, '--rows', '5', '--out', file], c.io), 1);
  assert.match(c.err[0]!, /tools-duplicate\.json:48:3: error: duplicate tool name "get_weather"/);
  assert.match(c.err.at(-1)!, /has 1 error; fix it first \(tooltune validate --tools /);
  assert.equal(existsSync(file), false);
  const m = collect();
  assert.equal(await synthCommand(['--tools', join(dir, 'nope.json'), '--rows', '5', '--out', file], m.io), 1);
  assert.match(m.err[0]!, /nope\.json:1:1: error: tools file not found/);
});

test('skipped tools and never-filled optional parameters are reported; all skipped writes nothing', async (t) => {
  const dir = tempDir(t);
  const fn = (name: string, properties: Record<string, unknown>, required: string[]) => ({ type: 'function', function: { name, description: `Do ${name}.`, parameters: { type: 'object', properties, required } } });
  const tools = join(dir, 'tools.json');
  writeFileSync(tools, JSON.stringify([
    fn('get_badge', { badge: { type: 'string', pattern: '^(gold|silver)$' } }, ['badge']),
    fn('get_user', { name: { type: 'string' }, ref: { type: 'string', pattern: '^(a|b)$' } }, ['name']),
  ]));
  const c = collect();
  assert.equal(await synthCommand(['--tools', tools, '--rows', '20', '--out', join(dir, 'a.jsonl')], c.io), 0, c.err.join('\n'));
  const text = c.out.join('\n');
  assert.match(text, /^skipped tool get_badge: required parameter "badge": pattern \/\^\(gold\|silver\)\$\/ uses regular-expression features/m);
  assert.match(text, /^never filled: optional parameter ref of get_user: pattern/m);
  assert.match(text, /1 of 2 tools used/);
  writeFileSync(tools, JSON.stringify([fn('get_badge', { badge: { type: 'string', pattern: '^(gold|silver)$' } }, ['badge'])]));
  const none = collect();
  assert.equal(await synthCommand(['--tools', tools, '--rows', '20', '--out', join(dir, 'b.jsonl')], none.io), 1);
  assert.match(none.err.join('\n'), /no tool of .*tools\.json could be given valid arguments; nothing written/);
  assert.equal(existsSync(join(dir, 'b.jsonl')), false);
});

test('usage errors exit 2', async () => {
  for (const [argv, message] of [
    [['--tools', 'x.json', '--out', 'y.jsonl'], /missing --rows/],
    [['--tools', 'x.json', '--rows', 'ten', '--out', 'y.jsonl'], /--rows must be an integer from 1 to 100000, got "ten"/],
    [['--tools', 'x.json', '--rows', '0', '--out', 'y.jsonl'], /--rows must be an integer/],
    [['--tools', 'x.json', '--rows', '5', '--out', 'y.jsonl', '--seed', '1.5'], /--seed must be a non-negative integer, got "1.5"/],
    [['--tool', 'x.json'], /Unknown option '--tool'/],
  ] as const) {
    const c = collect();
    assert.equal(await synthCommand([...argv], c.io), 2, argv.join(' '));
    assert.match(c.err[0]!, message);
    assert.match(c.err[0]!, /usage: tooltune synth --tools/);
  }
});

test('the real CLI entry point runs synth', (t) => {
  const dir = tempDir(t);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'synth', '--tools', 'test/fixtures/domain2/tools.json', '--rows', '30', '--out', join(dir, 'd2.jsonl')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote 30 rows to .*d2\.jsonl/);
});
