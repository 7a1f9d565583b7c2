// Builds real run folders the way the trainer lays them out (src/train/events.ts RUN_FILES), for the runs tree,
// dashboard and e2e tests. Values are synthetic but shaped like real GRPO metrics (TRL key names).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalRecord, RolloutRecord, StepMetrics } from '../../../src/train/events';
import type { RunStatusFile } from '../../../src/train/runReader';

export interface FixtureOptions {
  steps: number;
  rowsPerStep?: number;
  groupSize?: number;
  status?: RunStatusFile;
  evalEvery?: number;
  /** write rollouts only for the last N steps (a 20,000-step run keeps rollouts small). */
  rolloutSteps?: number;
}

/** A deterministic pseudo-random stream so fixtures are identical on every run. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export function metricsRow(step: number, rnd: () => number): StepMetrics {
  const progress = 1 - Math.exp(-step / 200);
  const reward = 0.1 + 0.6 * progress + (rnd() - 0.5) * 0.2;
  return {
    step, time: step * 4.2, reward, reward_std: 0.2 + rnd() * 0.1,
    'rewards/format/mean': Math.min(0.125, 0.05 + 0.1 * progress), 'rewards/name/mean': 0.375 * progress,
    'rewards/args/mean': 0.5 * progress * rnd(), frac_reward_zero_std: 0.1 + rnd() * 0.2, 'hard_pool/size': Math.round(10 * (1 - progress)),
    'completions/mean_length': 40 + rnd() * 10, 'completions/clipped_ratio': rnd() * 0.05, kl: 0.01 * progress, entropy: 1.5 - progress,
    'clip_ratio/region_mean': rnd() * 0.02, learning_rate: 3e-4, grad_norm: 0.5 + rnd(),
  };
}

export function rollout(step: number, row: number, sample: number, rnd: () => number): RolloutRecord {
  const city = ['Paris', 'Oslo', 'Lima'][row % 3]!;
  const good = rnd() < 0.4 + step / 100;
  const parsedOk = rnd() > 0.2;
  const expected = [{ name: 'get_weather', arguments: { city, unit: 'celsius' } }];
  const parsed = !parsedOk ? [] : [{ name: 'get_weather', arguments: { city: good ? city : 'Rome', unit: 'celsius' } }];
  const completion = parsedOk ? `<tool_call>\n${JSON.stringify(parsed[0])}\n</tool_call>` : 'Sure! The weather is nice.';
  const reward = !parsedOk ? 0 : good ? 1 : 0.5;
  return {
    step, row_id: `w-${row}`, sample, prompt: `Weather in ${city}, in celsius?`, completion, parsed, expected,
    clean: parsedOk, correct: parsedOk && good, reward,
    parts: { format: parsedOk ? 0.125 : 0, name: parsedOk ? 0.375 : 0, args: !parsedOk ? 0 : good ? 0.5 : 0 }, advantage: reward - 0.5,
  };
}

/** Writes `<root>/.tooltune/runs/<id>/` and returns its path. */
export function writeRunFixture(root: string, id: string, opt: FixtureOptions): string {
  const dir = join(root, '.tooltune', 'runs', id);
  mkdirSync(dir, { recursive: true });
  const rnd = lcg(42);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model: 'demo', steps: opt.steps, preset: 'tiny' }, null, 2));
  const m: string[] = [];
  for (let s = 1; s <= opt.steps; s++) m.push(JSON.stringify(metricsRow(s, rnd)));
  writeFileSync(join(dir, 'metrics.jsonl'), m.length ? m.join('\n') + '\n' : '');
  const ev: string[] = [];
  const every = opt.evalEvery ?? Math.max(1, Math.floor(opt.steps / 4));
  for (let s = 0; s <= opt.steps; s += every) {
    const p = 1 - Math.exp(-s / 200);
    const rec: EvalRecord = { step: s, time: s * 4.2, split: 'eval', n: 200, 'eval/accuracy': 0.1 + 0.5 * p, 'eval/format_valid': 0.6 + 0.4 * p,
      'eval/name_accuracy': 0.4 + 0.5 * p, 'eval/args_accuracy': 0.2 + 0.5 * p, 'eval/no_call_accuracy': 0.5 + 0.3 * p };
    ev.push(JSON.stringify(rec));
  }
  writeFileSync(join(dir, 'eval.jsonl'), ev.join('\n') + '\n');
  const r: string[] = [];
  const from = Math.max(1, opt.steps - (opt.rolloutSteps ?? opt.steps) + 1);
  for (let s = from; s <= opt.steps; s++) {
    for (let row = 0; row < (opt.rowsPerStep ?? 2); row++) {
      for (let g = 0; g < (opt.groupSize ?? 4); g++) r.push(JSON.stringify(rollout(s, row, g, rnd)));
    }
  }
  writeFileSync(join(dir, 'rollouts.jsonl'), r.length ? r.join('\n') + '\n' : '');
  writeFileSync(join(dir, 'status.json'), JSON.stringify(opt.status ?? { status: 'completed', step: opt.steps, total_steps: opt.steps }));
  writeFileSync(join(dir, 'events.log'), '');
  return dir;
}
