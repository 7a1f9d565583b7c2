import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_CONFIG, grpoOptimizer, resolveConfig } from '../../../src/train/config';
import { NANO_GRPO } from '../../../src/train/nano/recipe';
import { sftStepBudget } from '../../../src/train/sft';
import { INPUT_KEYS, parseConfigText, readConfigFile } from '../../../src/train/configFile';

test('defaults follow TRL; presets change what their papers say', () => {
  const d = resolveConfig();
  assert.equal(d.num_generations, 8);
  assert.equal(d.beta, 0);
  assert.equal(d.epsilon, 0.2);
  assert.equal(d.epsilon_high, 0.2);
  assert.equal(d.loss_type, 'dapo');
  const p = resolveConfig({ preset: 'slm-paper' });
  assert.equal(p.learning_rate, 5e-6);
  assert.equal(p.lr_scheduler_type, 'cosine_with_restarts');
  assert.equal(p.lora?.r, 64);
  const t = resolveConfig({ preset: 'toolexpander' });
  assert.equal(t.toolexpander.enabled, true);
  assert.equal(t.toolexpander.self_exemplify, true);
  assert.equal(t.toolexpander.hard_after_rollouts, 10);
  assert.equal(t.lr_scheduler_type, 'exponential');
  assert.equal(t.beta, 0);
  assert.ok(t.epsilon_high > t.epsilon);
  assert.equal(grpoOptimizer(t).schedule, 'exponential');
  // μ (TRL's num_iterations): the schedule counts optimizer updates, μ per step
  assert.equal(d.num_iterations, 1);
  assert.equal(grpoOptimizer(resolveConfig({ max_steps: 50, num_iterations: 3 })).total_steps, 150);
  assert.throws(() => resolveConfig({ num_iterations: 0 }), /num_iterations: must be an integer ≥ 1/);
  // user input wins over the preset; command-line overrides win over both
  const u = resolveConfig({ preset: 'toolexpander', learning_rate: 2e-6 }, { max_steps: 7 });
  assert.equal(u.learning_rate, 2e-6);
  assert.equal(u.max_steps, 7);
  assert.equal(u.toolexpander.few_shot, DEFAULT_CONFIG.toolexpander.few_shot);
});

test('preset nano: the shipped model, no SFT, the zero-shot base evaluation, GRPO only from a learnable start', () => {
  const n = resolveConfig({ preset: 'nano' });
  assert.equal(n.model, 'nano');
  assert.equal(n.sft.steps, 0);
  assert.equal(n.sft.max_epochs, 1);
  assert.deepEqual([n.eval.base, n.eval.pass_at_k, n.eval.max_rows, n.eval.pass_at_k_rows], [true, 8, 0, 0]);
  assert.equal(n.min_start_call_pass_at_k, 0.1);
  assert.deepEqual([n.reward, n.learning_rate, n.num_generations, n.max_minutes], [NANO_GRPO.reward, NANO_GRPO.lr, NANO_GRPO.numGenerations, NANO_GRPO.minutes]);
  // partial credit or binary, as the config says
  assert.equal(resolveConfig({ preset: 'nano', reward: 'binary' }).reward, 'binary');
  // the other presets keep their behaviour: no base evaluation, no gate, no epoch cap
  const d = resolveConfig({ preset: 'demo' });
  assert.deepEqual([d.eval.base, d.min_start_call_pass_at_k, d.sft.max_epochs], [false, 0, 0]);
});

test('SFT steps are capped at sft.max_epochs epochs of the train rows', () => {
  const cases: Array<[string, object, number, number]> = [
    ['no cap', { sft: { steps: 500, batch_size: 16 } }, 2500, 500],
    ['one epoch of 2,500 rows at batch 16', { sft: { steps: 500, batch_size: 16, max_epochs: 1 } }, 2500, 156],
    ['under the cap', { sft: { steps: 100, batch_size: 16, max_epochs: 1 } }, 2500, 100],
    ['restarts count too', { sft: { steps: 100, batch_size: 16, max_epochs: 1, restarts: [{ steps: 100, learning_rate: 1e-3, warmup_steps: 0 }] } }, 2500, 156],
    ['fewer rows than a batch still takes a step', { sft: { steps: 10, batch_size: 16, max_epochs: 1 } }, 5, 1],
    ['no SFT asked', { sft: { steps: 0, max_epochs: 1 } }, 2500, 0],
  ];
  for (const [name, input, rows, want] of cases) assert.equal(sftStepBudget(resolveConfig(input as never), rows), want, name);
});

test('invalid values and combinations are rejected naming the field and the fix', () => {
  const cases: Array<[object, string, RegExp]> = [
    [{ num_generations: 1 }, 'num_generations', /no spread/],
    [{ epsilon: 0.3, epsilon_high: 0.2 }, 'epsilon_high', /never tighter/],
    [{ beta: 0.04 }, 'beta', /needs LoRA/],
    [{ temperature: 0 }, 'temperature', /greedy/],
    [{ sft: { steps: -1 } }, 'sft.steps', /non-negative/],
    [{ toolexpander: { self_exemplify: true } }, 'toolexpander.self_exemplify', /needs toolexpander.enabled/],
    [{ lora: { r: 0 } }, 'lora.r', /≥ 1/],
    [{ preset: 'fast' }, 'preset', /unknown preset/],
    [{ lr_scheduler_type: 'exponential', gamma: 1 }, 'lr_scheduler_type', /constant schedule/],
    [{ min_start_call_pass_at_k: 1.5 }, 'min_start_call_pass_at_k', /\[0, 1\]/],
    [{ min_start_call_pass_at_k: 0.1 }, 'min_start_call_pass_at_k', /needs pass@k/],
    [{ preset: 'nano', eval: { pass_at_k: 0 } }, 'min_start_call_pass_at_k', /needs pass@k/],
    [{ sft: { max_epochs: -1 } }, 'sft.max_epochs', /≥ 0/],
  ];
  for (const [input, field, msg] of cases) {
    assert.throws(() => resolveConfig(input as never), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.field, field);
      assert.match(e.message, msg);
      assert.ok(e.fix.length > 0);
      return true;
    }, JSON.stringify(input));
  }
  // beta > 0 is fine with LoRA
  assert.equal(resolveConfig({ beta: 0.04, lora: { r: 8 } }).lora?.alpha, 64);
});

test('config file: comments allowed; errors carry file:line:col of the field', () => {
  const ok = parseConfigText('{\n  // demo run\n  "preset": "toolexpander",\n  "max_steps": 12,\n}', 'c.json');
  assert.equal(ok.max_steps, 12);
  assert.throws(() => parseConfigText('{\n  "max_steps": 10,\n  "epsilon": 0.5\n}', '.tooltune/config.json'),
    /^ConfigError: \.tooltune\/config\.json:3:14: epsilon_high|\.tooltune\/config\.json: epsilon_high/);
  assert.throws(() => parseConfigText('{\n  "max_steps": 10,\n  "num_generations": 1\n}', 'c.json'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.location, 'c.json:3:22');
    assert.equal(e.field, 'num_generations');
    return true;
  });
  assert.throws(() => parseConfigText('{\n  "learningrate": 1e-5\n}', 'c.json'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.location, 'c.json:2:3');
    assert.match(e.message, /Did you mean "learning_rate"/);
    return true;
  });
  assert.throws(() => parseConfigText('{\n  "sft": {"stepz": 3}\n}', 'c.json'), /c\.json:2:11: sft\.stepz: is not a ToolTune setting/);
  assert.throws(() => parseConfigText('{\n  "max_steps": 10\n  "seed": 1\n}', 'c.json'), /c\.json:3:3: \(syntax\): CommaExpected/);
  assert.throws(() => parseConfigText('[1]', 'c.json'), /c\.json:1:1: \(root\)/);
  assert.throws(() => parseConfigText('{\n  "num_threads": 1.5\n}', 'c.json'), /c\.json:2:18: num_threads: must be a whole number ≥ 0, got 1\.5/);
});

test('the JSON Schema for VS Code lists exactly the config fields, with the same defaults', async () => {
  const { readFileSync } = await import('node:fs');
  const schema = JSON.parse(readFileSync(new URL('../../../schemas/tooltune-config.schema.json', import.meta.url), 'utf8'));
  const fields = Object.keys(DEFAULT_CONFIG).sort();
  const inputs: readonly string[] = INPUT_KEYS;
  assert.deepEqual(Object.keys(schema.properties).filter((k) => k !== 'preset' && !inputs.includes(k)).sort(), fields);
  for (const k of INPUT_KEYS) assert.ok(schema.properties[k]?.description, `schema documents ${k}`);
  for (const k of fields) {
    const v = (DEFAULT_CONFIG as unknown as Record<string, unknown>)[k];
    if (v !== null && typeof v === 'object') {
      assert.deepEqual(Object.keys(schema.properties[k].properties).sort(), Object.keys(v).sort(), k);
      for (const [sk, sv] of Object.entries(v)) assert.deepEqual(schema.properties[k].properties[sk].default, sv, `${k}.${sk}`);
    } else assert.deepEqual(schema.properties[k].default, v, k);
  }
  // and ajv accepts a real config against it
  const Ajv = (await import('ajv')).default;
  const validate = new Ajv({ strict: false }).compile(schema);
  assert.equal(validate({ preset: 'toolexpander', max_steps: 5, toolexpander: { few_shot: 3 } }), true);
  assert.equal(validate({ max_stepz: 5 }), false);
  // exactly what the extension's Train command writes (src/vscode/projectConfig.ts) is valid too
  assert.equal(validate({ tools: 'tools.json', data: 'train.jsonl', eval_split: 10, model: 'demo', preset: 'demo' }), true, JSON.stringify(validate.errors));
  assert.equal(validate({ tools: 'tools.json', data: 'train.jsonl', eval_data: 'eval.jsonl', model: 'demo' }), true);
  assert.equal(validate({ model: 'nano', preset: 'nano', sft: { steps: 100 }, min_start_call_pass_at_k: 0 }), true, JSON.stringify(validate.errors));
  assert.equal(validate({ eval_split: 150 }), false);
});

test('config file: the input files the extension saves are accepted, checked, and resolved against the workspace', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  // the training settings ignore them
  const cfg = parseConfigText('{\n  "tools": "t.json", "data": "d.jsonl", "eval_split": 10,\n  "max_steps": 3\n}', 'c.json');
  assert.equal(cfg.max_steps, 3);
  assert.ok(!('tools' in cfg) && !('eval_split' in cfg));
  assert.throws(() => parseConfigText('{\n  "data": 5\n}', 'c.json'), /c\.json:2:11: data: must be a file path/);
  assert.throws(() => parseConfigText('{\n  "eval_split": 100\n}', 'c.json'), /c\.json:2:17: eval_split: must be a percentage between 0 and 100, got 100/);
  const root = mkdtempSync(join(tmpdir(), 'tt-cfg-'));
  mkdirSync(join(root, '.tooltune'));
  const file = join(root, '.tooltune', 'config.json');
  writeFileSync(file, '{\n  // saved by the Train command\n  "tools": "tools.json",\n  "data": "data/train.jsonl",\n  "eval_split": 10,\n  "model": "demo"\n}\n');
  assert.deepEqual(readConfigFile(file).inputs, { tools: join(root, 'tools.json'), data: join(root, 'data', 'train.jsonl'), eval_split: 10 });
  assert.throws(() => readConfigFile(join(root, 'missing.json')), /missing\.json: \(file\): cannot be read \(ENOENT\)/);
});
