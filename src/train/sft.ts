// SFT warm-up before GRPO: cross-entropy on the gold calls as the codec writes them (plus the end-of-turn token, so
// the model learns to stop), on the same prompts GRPO will use. LEARNING.md: GRPO only has something to reinforce
// once samples are sometimes right; on a tiny model format and tool names come first, argument copying later.
import type { DatasetRow } from '../core/types';
import type { EngineClient } from '../engine/client';
import { sftCycles, type SftCycle, type TrainConfig } from './config';
import type { Policy } from './policy';
import { Rng } from './rng';

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
  const total = cycles.reduce((a, c) => a + c.steps, 0);
  const deadline = cfg.sft.max_minutes > 0 ? Date.now() + cfg.sft.max_minutes * 60_000 : Infinity;
  const going = () => !opts.stop?.requested && Date.now() < deadline;
  for (const [ci, cycle] of cycles.entries()) {
    if (!going()) break;
    await opts.beforeCycle?.(cycle, ci);
    for (let k = 0; k < cycle.steps && going(); k++) {
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
