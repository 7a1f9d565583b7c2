// One GRPO step: the drawn rows → G samples each (engine.generate) → decode → codec parse → reward parts →
// group-relative advantages (core/advantages.ts, TRL's scale_rewards) → engine.train_step → TRL-named metrics and
// one rollout record per completion.
import { computeAdvantages } from '../core/advantages';
import type { EngineClient } from '../engine/client';
import type { TrainSequence } from '../engine/protocol';
import type { RolloutRecord } from './events';
import type { Policy, Scored } from './policy';
import type { BatchSampler, DrawnRow } from './sampler';

/** A step's metrics before the loop stamps the wall time. */
export type StepMetricsNoTime = { step: number; reward: number; reward_std: number; [key: string]: number };

export interface StepResult {
  metrics: StepMetricsNoTime;
  rollouts: RolloutRecord[];
  /** prompt + completion tokens of this step (TRL's num_tokens accumulates it) */
  tokens: number;
}

/** The engine's sampling seed for step N: a pure function of the run seed, so a resumed run samples the same. */
export function stepSeed(runSeed: number, step: number): number {
  return (Math.imul(runSeed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 1;
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (!xs.length) return { mean: 0, std: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean, std: 0 };
  // unbiased, as torch.std in TRL
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) };
}

export async function grpoStep(engine: EngineClient, policy: Policy, sampler: BatchSampler, step: number): Promise<StepResult> {
  const cfg = policy.cfg;
  const t0 = Date.now();
  const drawn: DrawnRow[] = sampler.next();
  const substitutions = sampler.substitutions;
  const prompts = drawn.map((d) => policy.prompt(d.row, d.fewShot ? sampler.demoRng : undefined));
  const G = cfg.num_generations;

  // ---- rollout
  const gen = await engine.request('generate', {
    prompts: prompts.map((p) => p.ids), n: G, max_new_tokens: cfg.max_completion_length,
    temperature: cfg.temperature, top_p: cfg.top_p, top_k: cfg.top_k, stop_token_ids: policy.stopIds,
    seed: stepSeed(cfg.seed, step),
  });
  if (gen.completions.length !== drawn.length * G) {
    throw new Error(`engine.generate returned ${gen.completions.length} completions for ${drawn.length} prompts × ${G}`);
  }

  // ---- rewards
  const scored: Scored[] = gen.completions.map((c, k) => policy.score(drawn[Math.floor(k / G)].row, policy.decode(c.ids)));
  const rewards = scored.map((s) => s.reward);
  const adv = computeAdvantages(rewards, G, cfg.scale_rewards);
  drawn.forEach((d, i) => sampler.record(d.row.id, scored.slice(i * G, (i + 1) * G).map((s) => s.correct), d.fewShot));

  // ---- update
  // num_iterations = 1 (TRL's default): no old_logprobs, so the engine uses the detached current log-probs and the
  // ratio is exactly 1, as TRL does. Above 1, TRL takes the old policy's log-probs from a forward pass before the
  // first update (not from sampling: a KV-cache decode drifts from the update pass by rounding and would clip for no
  // reason); we do the same with evaluate_logprobs, then make μ updates on the same batch.
  const sequences: TrainSequence[] = gen.completions.map((c, k) => ({
    prompt_ids: prompts[Math.floor(k / G)].ids, completion_ids: c.ids, advantage: adv.advantages[k],
    truncated: c.finish_reason === 'length', group: Math.floor(k / G),
  }));
  if (cfg.num_iterations > 1) {
    const old = await engine.request('evaluate_logprobs', {
      sequences: sequences.map((s) => ({ prompt_ids: s.prompt_ids, completion_ids: s.completion_ids })), temperature: cfg.temperature,
    });
    sequences.forEach((s, k) => { s.old_logprobs = old.logprobs[k]; });
  }
  const loss = {
    loss_type: cfg.loss_type, epsilon_low: cfg.epsilon, epsilon_high: cfg.epsilon_high, beta: cfg.beta,
    max_completion_length: cfg.max_completion_length, mask_truncated_completions: cfg.mask_truncated_completions,
    temperature: cfg.temperature,
  };
  const updates = [];
  for (let it = 0; it < cfg.num_iterations; it++) {
    updates.push(await engine.request('train_step', { sequences, micro_batch_tokens: cfg.micro_batch_tokens, loss }));
  }
  const first = updates[0]!;
  const upd = updates[updates.length - 1]!;

  // ---- metrics (TRL key names verbatim, PAPERS.md §4)
  const lengths = gen.completions.map((c) => c.ids.length);
  const partNames = [...new Set(scored.flatMap((s) => Object.keys(s.parts)))].sort();
  const metrics: StepMetricsNoTime = { step, reward: adv.mean, reward_std: adv.std };
  for (const p of partNames) {
    const { mean, std } = meanStd(scored.map((s) => s.parts[p] ?? 0));
    metrics[`rewards/${p}/mean`] = mean;
    metrics[`rewards/${p}/std`] = std;
  }
  const tokens = sequences.reduce((a, s) => a + s.prompt_ids.length + s.completion_ids.length, 0);
  Object.assign(metrics, {
    frac_reward_zero_std: adv.fracRewardZeroStd,
    'completions/mean_length': lengths.reduce((a, b) => a + b, 0) / lengths.length,
    'completions/min_length': Math.min(...lengths),
    'completions/max_length': Math.max(...lengths),
    'completions/clipped_ratio': gen.completions.filter((c) => c.finish_reason === 'length').length / lengths.length,
    // entropy and loss of the batch as sampled (the first update); clip ratios, grad norm and lr from the last update
    // (with num_iterations > 1 only the later updates can clip)
    entropy: first.entropy,
    'clip_ratio/low_mean': upd.clip_ratio.low_mean,
    'clip_ratio/high_mean': upd.clip_ratio.high_mean,
    'clip_ratio/region_mean': upd.clip_ratio.region_mean,
    loss: first.loss,
    grad_norm: upd.grad_norm,
    learning_rate: upd.learning_rate,
    'hard_pool/size': sampler.poolSize,
    'hard_pool/substitutions': substitutions,
    'rollouts/correct_fraction': scored.filter((s) => s.correct).length / scored.length,
    'rollouts/format_valid_fraction': scored.filter((s) => s.formatValid).length / scored.length,
    'generate/tokens_per_second': gen.tokens_per_second,
    step_time: (Date.now() - t0) / 1000,
  });
  if (upd.kl !== null) metrics.kl = upd.kl;

  // ---- rollout records (every rollout unless log_rollouts limits them)
  const rollouts: RolloutRecord[] = [];
  scored.forEach((s, k) => {
    const i = Math.floor(k / G);
    if (cfg.log_rollouts && k >= cfg.log_rollouts) return;
    rollouts.push({
      step, row_id: drawn[i].row.id, sample: k % G, prompt: prompts[i].text, completion: s.text,
      parsed: s.parsed.calls, expected: drawn[i].row.expected, clean: s.parsed.clean, correct: s.correct,
      reward: s.reward, parts: s.parts, advantage: adv.advantages[k], ...(drawn[i].fewShot ? { few_shot: true } : {}),
    });
  });
  return { metrics, rollouts, tokens };
}
