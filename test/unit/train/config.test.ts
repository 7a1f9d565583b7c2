import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_CONFIG, grpoOptimizer, resolveConfig } from '../../../src/train/config';
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
