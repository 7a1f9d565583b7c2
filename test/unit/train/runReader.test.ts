import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlTail, lastJsonlRecord, listRuns, readJsonl, readRun, runInputs, summarizeRun } from '../../../src/train/runReader';
import { writeRunFixture } from '../vscode/runFixture';

function tmp(): string { return mkdtempSync(join(tmpdir(), 'tt-runreader-')); }

test('readJsonl leaves a torn last line unread and reports broken middle lines with their line number', () => {
  const d = tmp();
  try {
    const f = join(d, 'm.jsonl');
    writeFileSync(f, '{"step":1}\n{oops}\n{"step":3}\n{"step":4,"rew');
    const c = readJsonl<{ step: number }>(f);
    assert.deepEqual(c.records.map((r) => r.step), [1, 3]);
    assert.equal(c.problems.length, 1);
    assert.equal(c.problems[0]!.line, 2);
    assert.match(c.problems[0]!.message, /not valid JSON/);
    // nextOffset stops before the torn line, so the next read sees it complete
    appendFileSync(f, 'ard":0.5}\n');
    const c2 = readJsonl<{ step: number; reward: number }>(f, c.nextOffset, c.nextLine);
    assert.deepEqual(c2.records, [{ step: 4, reward: 0.5 }]);
    assert.equal(c2.nextLine, 5);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('readJsonl of a missing file is empty; multi-byte text is never split', () => {
  const d = tmp();
  try {
    assert.deepEqual(readJsonl(join(d, 'none.jsonl')).records, []);
    const f = join(d, 'u.jsonl');
    writeFileSync(f, '{"city":"Zürich ☀"}\n');
    assert.deepEqual(readJsonl(f).records, [{ city: 'Zürich ☀' }]);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('JsonlTail returns only new records and restarts when the file is truncated', () => {
  const d = tmp();
  try {
    const f = join(d, 't.jsonl');
    const tail = new JsonlTail<{ s: number }>(f);
    assert.deepEqual(tail.poll().records, []);            // not there yet
    writeFileSync(f, '{"s":1}\n{"s":2}\n');
    assert.deepEqual(tail.poll().records.map((r) => r.s), [1, 2]);
    assert.deepEqual(tail.poll().records, []);
    appendFileSync(f, '{"s":3}\n{"s"');
    assert.deepEqual(tail.poll().records.map((r) => r.s), [3]);
    appendFileSync(f, ':4}\n');
    assert.deepEqual(tail.poll().records.map((r) => r.s), [4]);
    writeFileSync(f, '{"s":9}\n');                        // replaced by a shorter file
    const p = tail.poll();
    assert.equal(p.reset, true);
    assert.deepEqual(p.records.map((r) => r.s), [9]);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('lastJsonlRecord reads only the tail and skips a torn final line', () => {
  const d = tmp();
  try {
    const f = join(d, 'm.jsonl');
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ step: i + 1, pad: 'x'.repeat(30) }));
    writeFileSync(f, lines.join('\n') + '\n{"step":5001,');
    assert.equal(lastJsonlRecord<{ step: number }>(f, 4096)!.step, 5000);
    assert.equal(lastJsonlRecord(join(d, 'missing.jsonl')), undefined);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('listRuns lists run folders newest first with status, step and total', () => {
  const d = tmp();
  try {
    writeRunFixture(d, 'a-20261122-010000', { steps: 5 });
    writeRunFixture(d, 'b-20261122-020000', { steps: 3, status: { status: 'running', step: 3, total_steps: 10, pid: 999999 } });
    mkdirSync(join(d, '.tooltune', 'runs', 'empty-folder'));              // neither config nor metrics: ignored
    const runs = listRuns(d, () => true);
    assert.deepEqual(runs.map((r) => r.id).sort(), ['a-20261122-010000', 'b-20261122-020000']);
    const a = runs.find((r) => r.id.startsWith('a'))!;
    assert.equal(a.status, 'completed');
    assert.equal(a.step, 5);
    const b = runs.find((r) => r.id.startsWith('b'))!;
    assert.equal(b.status, 'running');
    assert.equal(b.totalSteps, 10);
    assert.deepEqual(listRuns(join(d, 'nowhere')), []);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('a "running" run whose trainer process is gone reads as failed, with the reason', () => {
  const d = tmp();
  try {
    const dir = writeRunFixture(d, 'dead', { steps: 2, status: { status: 'running', step: 2, pid: 4242 } });
    const s = summarizeRun(dir, (pid) => pid !== 4242);
    assert.equal(s.status, 'failed');
    assert.match(s.error!, /pid 4242/);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('without status.json a run with final/ is completed, otherwise unknown', () => {
  const d = tmp();
  try {
    const dir = writeRunFixture(d, 'x', { steps: 2 });
    rmSync(join(dir, 'status.json'));
    assert.equal(summarizeRun(dir).status, 'unknown');
    mkdirSync(join(dir, 'final'));
    assert.equal(summarizeRun(dir).status, 'completed');
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('readRun returns config, metrics, evals and rollouts', () => {
  const d = tmp();
  try {
    const dir = writeRunFixture(d, 'full', { steps: 4, rowsPerStep: 2, groupSize: 3, evalEvery: 2 });
    const r = readRun(dir);
    assert.equal(r.metrics.length, 4);
    assert.deepEqual(r.evals.map((e) => e.step), [0, 2, 4]);
    assert.equal(r.rollouts.length, 4 * 2 * 3);
    assert.deepEqual((r.config as { steps: number }).steps, 4);
    assert.deepEqual(r.problems, []);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('runInputs reads the input files a run was started with, and is empty for a folder without them', () => {
  const dir = tmp();
  const ws = tmp();
  try {
    assert.deepEqual(runInputs(dir), {});
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ max_steps: 3, inputs: { tools: '/w/tools.json', data: '/w/train.jsonl', evalData: '/w/eval.jsonl' } }));
    assert.deepEqual(runInputs(dir), { tools: '/w/tools.json', data: '/w/train.jsonl', evalData: '/w/eval.jsonl' });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ inputs: { tools: '/w/tools.json', data: '/w/train.jsonl' } }));
    assert.deepEqual(runInputs(dir), { tools: '/w/tools.json', data: '/w/train.jsonl' });
    writeFileSync(join(dir, 'config.json'), '{ torn');
    assert.deepEqual(runInputs(dir), {});
    // an older run with paths relative to the workspace (the folder holding .tooltune/runs/<run>)
    const rd = join(ws, '.tooltune', 'runs', 'r-1');
    mkdirSync(rd, { recursive: true });
    writeFileSync(join(rd, 'config.json'), JSON.stringify({ inputs: { tools: 'tools.json', data: 'd/train.jsonl', evalData: 'eval.jsonl' } }));
    assert.deepEqual(runInputs(rd), { tools: join(ws, 'tools.json'), data: join(ws, 'd', 'train.jsonl'), evalData: join(ws, 'eval.jsonl') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(ws, { recursive: true, force: true });
  }
});
