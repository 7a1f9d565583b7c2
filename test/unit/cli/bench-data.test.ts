import { test } from 'node:test';
import assert from 'node:assert/strict';
import run from '../../../src/cli/commands/bench-data';

test('bench data generates, loads and reports rows/s and peak memory', async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  let code: number;
  try {
    code = await run(['--rows', '3000', '--runs', '2', '--json']);
  } finally {
    console.log = log;
  }
  const r = JSON.parse(lines[0]!);
  assert.equal(r.rows, 3000);
  assert.equal(r.runs, 2);
  assert.equal(r.rows_per_s.length, 2);
  assert.ok(r.median_rows_per_s > 0 && r.median_cpu_rows_per_s > 0 && r.peak_rss_mb > 0);
  assert.equal(code, r.median_cpu_rows_per_s >= 50000 ? 0 : 1);
});

test('bench data rejects bad options', async () => {
  const err = console.error;
  const seen: string[] = [];
  console.error = (s: string) => seen.push(s);
  try {
    assert.equal(await run(['--rows', 'many']), 2);
    assert.equal(await run(['--fast']), 2);
  } finally {
    console.error = err;
  }
  assert.match(seen[0]!, /--rows and --runs must be positive integers/);
});
