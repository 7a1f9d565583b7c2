// corpusRows: the pretraining corpus. The same seed must give the same rows for as long as a pretraining run may be
// resumed (it regenerates its row stream from the seed), and every row must pass the project's own validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { corpusRows } from '../../../../src/core/synth/index';
import { parseDatasetText } from '../../../../src/core/dataset';

const sha256 = (rows: Iterable<unknown>) => {
  const h = createHash('sha256');
  for (const r of rows) h.update(JSON.stringify(r) + '\n');
  return h.digest('hex');
};

test('the same seed gives identical rows; different seeds differ', () => {
  const curriculum = { level: (n: number) => Math.min(1, n / 200), rowsPerDomain: 3 };
  assert.deepEqual([...corpusRows(7, 300)], [...corpusRows(7, 300)]);
  assert.deepEqual([...corpusRows(7, 300, curriculum)], [...corpusRows(7, 300, curriculum)]);
  const a = [...corpusRows(7, 100)].map((r) => JSON.stringify(r.messages));
  const b = [...corpusRows(8, 100)].map((r) => JSON.stringify(r.messages));
  assert.ok(a.filter((m, i) => m === b[i]).length < 10, 'seeds 7 and 8 share most requests');
  // A prefix of a longer stream is the shorter stream (a resumed run asks for more rows of the same seed).
  assert.deepEqual([...corpusRows(7, 50)], [...corpusRows(7, 300)].slice(0, 50));
});

test('the corpus for a seed is pinned (a running pretraining job regenerates it from the seed)', () => {
  // If this fails, the generator's output changed: word pools, probabilities or the order of rng calls. A resumed
  // pretraining run would then train on a different stream than it started with. Change the corpus only on purpose,
  // with the pretraining owners, and update both hashes in the same commit.
  assert.equal(sha256(corpusRows(1, 400)), 'd5a20df6c2490e3ce3498fcf124d6108636b4c9b084a744be7b7509a50e24b45');
  assert.equal(sha256(corpusRows(2, 400, { level: (n) => Math.min(1, n / 400), rowsPerDomain: 3 })),
    '344b659ce1a7edb87d6f15dddf42529c47afbbd91a56d63e454bd6b7987aaa41');
});

test('every generated row passes the dataset validation (per-row tools) at levels 0 and 0.5', () => {
  // Level 1 is checked in rows.test.ts (its many distinct schemas take most of a file's time budget).
  for (const [level, seed] of [[0, 11], [0.5, 12]] as const) {
    const rows = [...corpusRows(seed, 2000, { level: () => level })];
    const r = parseDatasetText(rows.map((x) => JSON.stringify(x)).join('\n'), `level-${level}.jsonl`);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], `level ${level}`);
    assert.equal(r.kept, 2000);
  }
});
