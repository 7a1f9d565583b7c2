// The demo recipe: model shape, tokenizer trimming, SFT warm start and GRPO settings for `tooltune demo` on a 2-core
// CPU. Every number below comes from a measurement in src/train/demo/RESULTS.md (what was tried, the command, what it
// reached); read that file before changing one. Where a value was chosen without a measurement, the comment says so.

/** The model's shape (a Hugging Face qwen3 config, tiny). */
export interface DemoModelShape {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  rope_theta: number;
  max_position_embeddings: number;
}

export const DEMO_MODEL: DemoModelShape = {
  // d 128 × 4 layers (≈1.2M parameters with the trimmed head): RESULTS.md runs R1–R3. With a ~2k-row head the body is
  // where the time goes, and on the sample workspace most of the body's time is attention over the 1,517-token
  // shared system prompt (the tools), so width and depth stay small.
  hidden_size: 128,
  intermediate_size: 512,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 32,
  // θ 1e4 instead of Qwen3's 1e6: more fast-rotating dimensions for the copy heads at head_dim 32 (LEARNING.md's
  // best trial used it; all RESULTS.md runs use it).
  rope_theta: 10_000,
  // Sample-workspace prompts are 1,529–1,591 tokens (rows up to ~1,700 with the answer): 4,096 leaves room for
  // ToolExpander few-shot demonstrations in the system turn.
  max_position_embeddings: 4096,
};

/** How the Qwen3 tokenizer is trimmed for the demo (see vocabTrim.ts). */
export interface DemoVocabSettings {
  /** Keep the lowest N original ids too (most frequent pre-training pieces). 0: the demo text decides alone. */
  keepTopIds: number;
  /** Round the model's vocab_size up to a multiple of this. */
  padToMultipleOf: number;
}

export const DEMO_VOCAB: DemoVocabSettings = {
  // 0: the sample workspace's train+eval prompts and answers give 1,981 tokens (vocab_size 1,984), against 151,669.
  // Text outside the domain still encodes in smaller pieces; tokens the model never trained on would not help it.
  keepTopIds: 0,
  padToMultipleOf: 64,
};

/** The HF config.json of the demo model. `eos`/`pad` are the trimmed ids of `<|im_end|>` / `<|endoftext|>`. */
export function demoModelConfig(vocabSize: number, eos: number, pad: number, shape: DemoModelShape = DEMO_MODEL): Record<string, unknown> {
  return {
    architectures: ['Qwen3ForCausalLM'],
    model_type: 'qwen3',
    vocab_size: vocabSize,
    hidden_size: shape.hidden_size,
    intermediate_size: shape.intermediate_size,
    num_hidden_layers: shape.num_hidden_layers,
    num_attention_heads: shape.num_attention_heads,
    num_key_value_heads: shape.num_key_value_heads,
    head_dim: shape.head_dim,
    hidden_act: 'silu',
    rms_norm_eps: 1e-6,
    rope_theta: shape.rope_theta,
    rope_scaling: null,
    max_position_embeddings: shape.max_position_embeddings,
    // Tied: the head is the embedding matrix, as in Qwen3-0.6B; one matrix to learn, and the ONNX export keeps it single.
    tie_word_embeddings: true,
    attention_bias: false,
    attention_dropout: 0.0,
    use_sliding_window: false,
    sliding_window: null,
    max_window_layers: shape.num_hidden_layers,
    initializer_range: 0.02,
    bos_token_id: null,
    eos_token_id: eos,
    pad_token_id: pad,
    torch_dtype: 'float32',
    use_cache: true,
  };
}

/** One cosine cycle of the SFT warm start (each cycle after the first starts from a fresh AdamW state). */
export interface SftCycle { steps: number; lr: number; warmupSteps: number }

/** SFT warm start (cross-entropy on answer tokens only). */
export interface DemoSftSettings {
  batchSize: number;
  /** Cosine cycles (to 0) run one after the other. */
  cycles: SftCycle[];
  /** Wall-clock cap on the whole warm start, so a slow machine still finishes the demo. */
  maxMinutes: number;
}

/** GRPO after the warm start. */
export interface DemoGrpoSettings {
  reward: 'binary' | 'slm-paper';
  /** Wall-clock cap on the GRPO phase. */
  minutes: number;
  numGenerations: number;
  promptsPerStep: number;
  lr: number;
  steps: number;
  temperature: number;
  maxNewTokens: number;
  beta: number;
  epsilonLow: number;
  epsilonHigh: number;
}

export const DEMO_SFT: DemoSftSettings = {
  // Batch 16 from lr 5e-3 learned fastest per CPU-second of the settings tried (RESULTS.md S1–S3), and a second cosine
  // cycle from 3e-3 is where argument copying took off (S3c/S3d). With the tools written as signatures
  // (compactTools.ts, ~340-token prompts) on the real prompts: 650 steps from 5e-3 → 20.0% greedy exact (pass@8 22%,
  // single-call 11%), then 350 from 3e-3 → 29.0% and, in a full demo run, 29.5% (pass@8 38%, tool names 96%, args
  // 44%) on the first 200 eval rows (RESULTS.md, "Compact tools"). Exact match was still climbing, so the demo runs
  // 750 + 400 steps (1,150 × 16 rows = 7.4 epochs of the 2,500 train rows): ~0.61 s per step alone on a core here,
  // ~11.7 minutes.
  batchSize: 16,
  cycles: [
    { steps: 750, lr: 5e-3, warmupSteps: 20 },
    { steps: 400, lr: 3e-3, warmupSteps: 10 },
  ],
  // A cap for slower or busier machines (two 1-thread runs side by side: ~1.0–1.3 s per step).
  maxMinutes: 14,
};

export const DEMO_GRPO: DemoGrpoSettings = {
  // G 8 as both papers and TRL (PAPERS.md). From the 29% SFT start above, 6 minutes of GRPO (RESULTS.md, "Compact
  // tools", runs GA–GG) never raised greedy exact match: binary reward at lr 3e-5 → 28%, 1e-4 → 27%, 5e-4 → 23.5%,
  // 1.5e-3 → entropy 0 (collapse); 4 × 16 at 3e-4 → 24.5%; slm-paper reward at 3e-4 from the 20% start → 14%.
  // The least harmful setting is kept (binary reward: it pays only the exact answers GRPO should make greedy;
  // 8 prompts × 8). No GRPO gain was measured for this recipe.
  reward: 'binary',
  numGenerations: 8,
  promptsPerStep: 8,
  lr: 3e-5,
  steps: 300,
  minutes: 5,
  temperature: 1.0,
  // The longest sample-workspace answer is 125 tokens (99th percentile 105) with the trimmed tokenizer.
  maxNewTokens: 128,
  // No KL, asymmetric clipping: ToolExpander's Self-Exemplifying setting and TRL's defaults (beta 0, DAPO's 0.28).
  beta: 0,
  epsilonLow: 0.2,
  epsilonHigh: 0.28,
};
