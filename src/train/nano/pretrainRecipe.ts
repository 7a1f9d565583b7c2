// ToolTune Nano's shape, vocabulary and pretraining recipe (issue 11). Every number says where it came from; the
// measurements are in models/nano/README.md (the model card) and src/train/nano/PRETRAINING.md.
import type { DemoModelShape, DemoVocabSettings } from '../demo/recipe';

export const NANO_SHAPE: DemoModelShape = {
  // d 192 × 4 layers, GQA 4/2 at head_dim 48: ≈1.8M body parameters. LEARNING.md: copy heads need ≥ 2 layers.
  // d 256 (≈3.2M body) ran ~1.3 s per step of 16 rows at full level here; the step count before copying forms is
  // what the CPU budget is short of, so the narrower body (≈0.6× the step time) was chosen without a sweep.
  // Qwen3-shaped so the engine, the ONNX export and the editor's inference run it unchanged.
  hidden_size: 192,
  intermediate_size: 576,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 48,
  // θ 1e4, not Qwen3's 1e6: more fast-rotating dimensions for copy heads (LEARNING.md; the demo model's setting).
  rope_theta: 10_000,
  max_position_embeddings: 2048,
};

/** A larger Nano for one GPU (scripts/nano-gpu.sh, issue 11 item 7): ≈17M parameters, 35 MB in bf16 (the repository
 *  ships at most 50 MB). Not measured yet: no GPU was lent to the session that wrote it. */
export const NANO_LARGE_SHAPE: DemoModelShape = {
  ...NANO_SHAPE,
  hidden_size: 384,
  intermediate_size: 1152,
  num_hidden_layers: 8,
  num_attention_heads: 6,
  num_key_value_heads: 2,
  head_dim: 64,
};

export const NANO_VOCAB: DemoVocabSettings = {
  // The 6,000 most frequent Qwen3 pieces (low ids: byte-level BPE orders by merge rank) cover generic English, JSON
  // and digits, so a user's words encode in real subword pieces; the generator's own text adds the rest; byte
  // tokens keep every text encodable. Chosen without a sweep: ~8.9k rows, so the head is ~1.7M parameters at d 192.
  keepTopIds: 6000,
  padToMultipleOf: 64,
};

export interface PretrainRecipe {
  /** Rows per optimizer step. */
  batchSize: number;
  lr: number;
  warmupSteps: number;
  /** Steps over which the curriculum level rises from 0 (one small tool) to 1 (3–8 tools, distractors). */
  curriculumSteps: number;
  /** Length of the cosine schedule (the run may stop earlier on its time budget, or resume past it at the floor). */
  totalSteps: number;
  /** Pure copy rows (src/core/synth/rows.ts `copyRow`): this share of each batch at step 0, falling linearly to
   *  `copyFloor` at `copySteps` and staying there. */
  copyStart: number;
  copyFloor: number;
  copySteps: number;
  /** Rows drawn from one random domain before the next. */
  rowsPerDomain: number;
  /** Checkpoint and probe every N steps. */
  saveEvery: number;
  probeEvery: number;
  /** Held-out generated rows the probe scores greedily (a different seed stream from training). */
  probeRows: number;
}

export const NANO_PRETRAIN: PretrainRecipe = {
  // Batch 16 at lr 3e-3 with a short warm-up: the demo's SFT found 16 × 5e-3 fastest per CPU-second at d 128
  // (src/train/demo/RESULTS.md); a wider model gets a lower lr (chosen without a sweep).
  batchSize: 16,
  lr: 3e-3,
  warmupSteps: 100,
  curriculumSteps: 1000,
  totalSteps: 8000,
  // The first run without pure copy rows wrote its most frequent names and values, never the prompt's, after 800
  // steps (2M tokens; probe: names 0%, values copied 0%): copying has to come first (PRETRAINING.md).
  // A second run with 60% → 5% over 800 steps still copied nothing at step 400 (names 0%, values ~0.5%), and the
  // share was about to fall away: copying gets most of the first thousand steps and a tenth of every batch after.
  copyStart: 0.8,
  copyFloor: 0.1,
  copySteps: 2500,
  rowsPerDomain: 4,
  saveEvery: 200,
  probeEvery: 200,
  probeRows: 96,
};
