// The GRPO recipe when the demo starts from ToolTune Nano (`tooltune demo`, preset `nano`): no SFT by default, then
// GRPO on the user's domain, which Nano has never seen. The numbers start from DEMO_GRPO (src/train/demo/recipe.ts,
// measured from the from-scratch demo model in src/train/demo/RESULTS.md). Every value marked "not measured" was
// chosen before any run from Nano existed: measure it and replace the comment with the run that decided it.
import { DEMO_GRPO, type DemoGrpoSettings } from '../demo/recipe';

/** What the Nano demo adds to the demo's GRPO settings. */
export interface NanoGrpoSettings extends DemoGrpoSettings {
  /** GRPO starts only when the start's pass@k on call rows reaches this (0 = always start). */
  minStartCallPassAtK: number;
}

/** The optional short SFT before GRPO (off unless a config sets `sft.steps`). */
export interface NanoSftSettings {
  batchSize: number;
  lr: number;
  warmupSteps: number;
  /** The warm-up never runs past this many epochs of the train rows, whatever `sft.steps` says. */
  maxEpochs: number;
  maxMinutes: number;
}

export const NANO_GRPO: NanoGrpoSettings = {
  ...DEMO_GRPO,
  // Not measured from Nano. Partial credit (slm-paper: clean JSON 0.125 + names 0.375 + arguments 0.5) instead of
  // the demo's binary reward: from a pretrained start that can call tools badly, paying for the right tool with a
  // wrong argument keeps "call the right tool" reinforced on call rows, so a policy cannot gain by never calling
  // (the feasibility run in issue 11 drifted to never calling); ToolRL (arXiv 2504.13958) found fine-grained rewards
  // beat coarse ones from a pretrained base. From the from-scratch demo model slm-paper measured worse (RESULTS.md,
  // "Compact tools": 20% → 14%). `"reward": "binary"` in the config restores the demo's choice.
  reward: 'slm-paper',
  // Not measured from Nano: the ~12 minutes the from-scratch demo spends on SFT go to GRPO instead, inside the
  // demo's 20-minute budget (two evaluations with pass@8 and the export take the rest). max_steps is a ceiling; the
  // time budget ends the phase on a 2-core CPU.
  minutes: 10,
  steps: 600,
  // Kept from DEMO_GRPO (G 8, 8 prompts per step, lr 3e-5, temperature 1.0, 128 new tokens, no KL, clip 0.2/0.28):
  // not re-measured from Nano.
  // Issue 11: "GRPO starts only from a learnable start (pass@8 on call rows ≥ 10%)". Below it nearly every call-row
  // group is all wrong and the only reward spread left is on no-call rows, which teaches never calling.
  minStartCallPassAtK: 0.1,
};

export const NANO_SFT: NanoSftSettings = {
  // Batch 16 as the demo's SFT (measured from scratch, RESULTS.md S1–S3); not measured from Nano.
  batchSize: 16,
  // Not measured: a tenth of the demo's second-cycle 3e-3, because Nano is pretrained and a from-scratch learning
  // rate would overwrite what pretraining taught (and collapse the entropy GRPO needs).
  lr: 3e-4,
  warmupSteps: 10,
  // Issue 11 / LEARNING.md (Jin et al., arXiv 2509.12235; ToolRL, arXiv 2504.13958): more SFT before RL hurts
  // out-of-distribution accuracy and entropy; at most one epoch.
  maxEpochs: 1,
  // Not measured: one epoch of 2,500 rows at batch 16 is 157 steps; a cap keeps the demo inside its 20 minutes.
  maxMinutes: 5,
};
