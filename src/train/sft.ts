// SFT warm-up before GRPO: cross-entropy on the gold calls as the codec writes them (plus the end-of-turn token, so
// the model learns to stop), on the same prompts GRPO will use. LEARNING.md: GRPO only has something to reinforce
// once samples are sometimes right; on a tiny model format and tool names come first, argument copying later.
import type { DatasetRow } from '../core/types';
import type { EngineClient } from '../engine/client';
import { sftCycles, type SftCycle, type TrainConfig } from './config';
import type { Policy } from './policy';
import { Rng } from './rng';

/** SFT steps the run will take: the cycles' steps, cut to `sft.max_epochs` epochs of `rows` rows when set (at
 *  least one step). With 2,500 rows, batch 16 and max_epochs 1: ⌊2,500 / 16⌋ = 156 steps, however many were asked. */
export function sftStepBudget(cfg: TrainConfig, rows: number): number {
  const asked = sftCycles(cfg).reduce((a, c) => a + c.steps, 0);
  if (!(cfg.sft.max_epochs > 0) || asked === 0) return asked;
  return Math.min(asked, Math.max(1, Math.floor((cfg.sft.max_epochs * rows) / cfg.sft.batch_size)));
}

/** Runs every SFT cycle (`sftCycles`): `beforeCycle` sets up the optimizer for each (a fresh one after the first).
 *  The row order runs on across cycles (one seeded shuffle per epoch), and one time budget covers them all. */
export async function runSft(engine: EngineClient, policy: Policy, rows: readonly DatasetRow[], cfg: TrainConfig, opts: {
  stop?: { requested: boolean }; onStep?: (step: number, total: number, loss: number) => void;
  beforeCycle?: (cycle: SftCycle, index: number) => Promise<void>;
} = {}): Promise<{ steps: number; lastLoss: number }> {
  const rng = new Rng(cfg.seed ^ 0x5f7);
  // Prompts and targets are tokenised once: the rows repeat every epoch.
  const examples = rows.map((r) => ({ prompt_ids: policy.prompt(r).ids, target_ids: policy.sftTarget(r) }));
  let order: number[] = [];
  let lastLoss = NaN;
  let step = 0;
  const cycles = sftCycles(cfg);
  const total = sftStepBudget(cfg, rows.length);
  const deadline = cfg.sft.max_minutes > 0 ? Date.now() + cfg.sft.max_minutes * 60_000 : Infinity;
  const going = () => !opts.stop?.requested && Date.now() < deadline && step < total;
  for (const [ci, cycle] of cycles.entries()) {
    if (!going()) break;
    // A cycle cut by max_epochs gets a schedule of its own length (the cosine still reaches its end).
    const steps = Math.min(cycle.steps, total - step);
    await opts.beforeCycle?.({ ...cycle, steps }, ci);
    for (let k = 0; k < steps && going(); k++) {
      const batch = [];
      while (batch.length < cfg.sft.batch_size) {
        if (!order.length) order = rng.shuffle(examples.map((_, i) => i));
        batch.push(examples[order.pop()!]);
      }
      const r = await engine.request('sft_step', { examples: batch, micro_batch_tokens: cfg.micro_batch_tokens });
      step++;
      lastLoss = r.loss;
      opts.onStep?.(step, total, r.loss);
    }
  }
  return { steps: step, lastLoss };
}
