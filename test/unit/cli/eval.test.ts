// `tooltune eval` on the sample workspace: gold calls written by each codec score 100%; chosen perturbations
// (wrong name, missing required argument, extra argument, wrong value, text around the calls) are scored wrong.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalCommand } from '../../../src/cli/commands/eval';
import { CODEC_NAMES, getCodec, loadDataset, loadTools, type DatasetRow, type Json, type ToolCall } from '../../../src/core/index';

const ROOT = join(__dirname, '../../..');
const TOOLS = join(ROOT, 'sample-workspace/tools.json');
const EVAL = join(ROOT, 'sample-workspace/eval.jsonl');
let dir: string;
let rows: DatasetRow[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tooltune-eval-'));
  const tools = await loadTools(TOOLS);
  rows = (await loadDataset(EVAL, { tools: tools.tools })).rows;
});
after(() => rmSync(dir, { recursive: true, force: true }));

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { log: (s: string) => out.push(s), error: (s: string) => err.push(s) } };
}

function writePreds(name: string, outputOf: (r: DatasetRow) => string): string {
  const p = join(dir, name);
  writeFileSync(p, rows.map((r) => JSON.stringify({ id: r.id, output: outputOf(r) })).join('\n') + '\n');
  return p;
}

const gold = (r: DatasetRow): ToolCall[] => r.expected.map((c) => ({ name: c.name, arguments: c.arguments }));

test('gold calls formatted by every codec score 100% on the sample eval set', async () => {
  for (const codec of CODEC_NAMES) {
    for (const match of ['exact', 'bfcl']) {
      const preds = writePreds(`gold-${codec}.jsonl`, (r) => getCodec(codec).format(gold(r)));
      const c = collect();
      const code = await evalCommand(['--tools', TOOLS, '--data', EVAL, '--predictions', preds, '--codec', codec, '--match', match, '--json'], c.io);
      assert.equal(code, 0, c.err.join('\n'));
      const r = JSON.parse(c.out[0]!);
      assert.equal(r.overall.n, 250);
      for (const k of ['accuracy', 'name_accuracy', 'args_accuracy', 'format_valid', 'no_call_accuracy']) assert.equal(r.overall[k], 1, `${codec}/${match}: ${k}`);
      for (const cat of ['single', 'parallel', 'no_call']) assert.equal(r.by_category[cat].accuracy, 1);
      assert.equal(r.rows.length, 250);
    }
  }
});

type Perturb = [string, (calls: ToolCall[], r: DatasetRow) => ToolCall[] | string, RegExp];
const PERTURBATIONS: Perturb[] = [
  ['wrong name', (c) => [{ ...c[0]!, name: c[0]!.name + '_v2' }, ...c.slice(1)], /missing call .*; unexpected call .*_v2/],
  ['missing required argument', (c, r) => {
    const req = r.tools.find((t) => t.function.name === c[0]!.name)!.function.parameters.required![0]!;
    const { [req]: _gone, ...rest } = c[0]!.arguments;
    return [{ ...c[0]!, arguments: rest }, ...c.slice(1)];
  }, /missing argument/],
  ['extra argument', (c) => [{ ...c[0]!, arguments: { ...c[0]!.arguments, confirm: true } }, ...c.slice(1)], /unexpected argument confirm/],
  ['wrong value', (c) => {
    const [k, v] = Object.entries(c[0]!.arguments)[0]!;
    const bad: Json = typeof v === 'number' ? v + 1 : typeof v === 'string' ? v + ' please' : 'x';
    return [{ ...c[0]!, arguments: { ...c[0]!.arguments, [k]: bad } }, ...c.slice(1)];
  }, /argument .* is .*, expected/],
];

test('perturbed gold calls are scored wrong, for every codec, with the reason', async () => {
  for (const codec of CODEC_NAMES) {
    const fmt = getCodec(codec);
    for (const [name, perturb, reason] of PERTURBATIONS) {
      // Perturb every third call row; the rest stay gold.
      const hit = new Set(rows.filter((r) => r.expected.length > 0).filter((_, i) => i % 3 === 0).map((r) => r.id));
      const preds = writePreds(`p-${codec}-${name}.jsonl`, (r) => {
        const g = gold(r);
        return fmt.format(hit.has(r.id) ? (perturb(g, r) as ToolCall[]) : g);
      });
      const c = collect();
      await evalCommand(['--tools', TOOLS, '--data', EVAL, '--predictions', preds, '--codec', codec, '--json'], c.io);
      const out = JSON.parse(c.out[0]!);
      assert.equal(out.overall.accuracy, (250 - hit.size) / 250, `${codec}: ${name}`);
      for (const v of out.rows) {
        assert.equal(v.correct, !hit.has(v.id), `${codec}: ${name}: ${v.id}`);
        if (hit.has(v.id)) assert.match(v.reasons.join('; '), reason, `${codec}: ${name}: ${v.id}`);
      }
    }
    // Text around the calls: wrong for every codec (paper 1's strict gate).
    const preds = writePreds(`p-${codec}-text.jsonl`, (r) => (r.expected.length ? `Sure! ${fmt.format(gold(r))} Anything else?` : fmt.format([])));
    const c = collect();
    await evalCommand(['--tools', TOOLS, '--data', EVAL, '--predictions', preds, '--codec', codec, '--json'], c.io);
    const out = JSON.parse(c.out[0]!);
    const callRows = rows.filter((r) => r.expected.length).length;
    assert.equal(out.overall.accuracy, (250 - callRows) / 250, `${codec}: text around`);
    assert.equal(out.overall.format_valid, (250 - callRows) / 250, `${codec}: text around`);
  }
});

test('readable table, missing predictions and usage errors', async () => {
  const half = writePreds('half.jsonl', (r) => getCodec('hermes').format(gold(r)));
  writeFileSync(half, rows.slice(0, 125).map((r) => JSON.stringify({ id: r.id, output: getCodec('hermes').format(gold(r)) })).join('\n') + '\n{"id": "nope", "output": ""}\n');
  const c = collect();
  const code = await evalCommand(['--tools', TOOLS, '--data', EVAL, '--predictions', half, '--show', '2'], c.io);
  assert.equal(code, 0);
  const text = c.out.join('\n');
  assert.match(text, /250 rows, codec hermes, match exact, 125 without a prediction/);
  assert.match(text, /^overall\s+250\s+50\.0%/m);
  assert.match(text, /^no_call\s+\d+\s+[\d.]+%.*—/m);
  assert.match(text, /wrong rows \(125, first 2\):\n {2}\S+ \[\w+\]: no prediction for this row/);
  assert.match(c.err.join('\n'), /warning: prediction for unknown row id "nope" was ignored/);

  const bad = collect();
  assert.equal(await evalCommand(['--data', EVAL, '--predictions', half, '--codec', 'harmony'], bad.io), 2);
  assert.match(bad.err[0]!, /unknown codec "harmony"; use one of: hermes, llama3-json, pythonic, xlam, json/);
  const missing = collect();
  assert.equal(await evalCommand(['--data', EVAL], missing.io), 2);
  assert.match(missing.err[0]!, /--data and one of --predictions or --model are required/);
  const badPreds = collect();
  assert.equal(await evalCommand(['--tools', TOOLS, '--data', EVAL, '--predictions', join(ROOT, 'test/fixtures/bad-input/preds-not-json.jsonl')], badPreds.io), 1);
  assert.match(badPreds.err.join('\n'), /preds-not-json\.jsonl:1:1: error: invalid JSON/);
});

test('--samples and --model nano: usage errors name the fix', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--data', EVAL, '--predictions', EVAL, '--samples', '8'], /--samples and --temperature need --model/],
    [['--data', EVAL, '--model', 'nano', '--samples', '0'], /--samples must be a positive integer/],
    [['--data', EVAL, '--model', 'nano', '--samples', '8', '--temperature', '0'], /--temperature must be > 0/],
    [['--data', EVAL, '--model', 'nano', '--samples', '8', '--int8'], /--int8 scores an ONNX export .* drop it with --samples/],
    [['--data', EVAL, '--model', join(dir, 'no-onnx'), '--int8'], /has no ONNX export \(run tooltune export --model .* --int8 first\)/],
  ];
  for (const [argv, want] of cases) {
    const c = collect();
    assert.equal(await evalCommand(argv, c.io), 2, argv.join(' '));
    assert.match(c.err.join('\n'), want);
  }
  // no models/nano/ anywhere: the error says where it looked and how to rebuild it
  const saved = process.env.TOOLTUNE_NANO_DIR;
  process.env.TOOLTUNE_NANO_DIR = join(dir, 'no-nano');
  try {
    const c = collect();
    assert.equal(await evalCommand(['--tools', TOOLS, '--data', EVAL, '--model', 'nano', '--samples', '2'], c.io), 1);
    assert.match(c.err.join('\n'), /tooltune eval: nano: TOOLTUNE_NANO_DIR=.*no-nano.*lacks config\.json/);
  } finally {
    if (saved === undefined) delete process.env.TOOLTUNE_NANO_DIR; else process.env.TOOLTUNE_NANO_DIR = saved;
  }
});

test('rows that carry their own tools need no tools file', async () => {
  const data = join(dir, 'own-tools.jsonl');
  const tool = { name: 'ping', parameters: { type: 'object', properties: { host: { type: 'string' } }, required: ['host'] } };
  writeFileSync(data, JSON.stringify({ query: 'Ping example.org', tools: JSON.stringify([tool]), answers: JSON.stringify([{ name: 'ping', arguments: { host: 'example.org' } }]), id: 'x1' }) + '\n');
  const preds = join(dir, 'own-preds.jsonl');
  writeFileSync(preds, JSON.stringify({ id: 'x1', output: '[ping(host="example.org")]' }) + '\n');
  const c = collect();
  assert.equal(await evalCommand(['--data', data, '--predictions', preds, '--codec', 'pythonic', '--json'], c.io), 0);
  assert.equal(JSON.parse(c.out[0]!).overall.accuracy, 1);
});
