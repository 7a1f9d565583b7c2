// The engine protocol, TypeScript side. This file mirrors `engine/tooltune_engine/protocol.py`: change both together
// and bump PROTOCOL_VERSION. JSON-RPC 2.0 over the engine's stdin/stdout with LSP framing (Content-Length headers).
// Token ids cross the boundary, never text: the TypeScript side owns tokenizers and chat templates.

export const PROTOCOL_VERSION = 1;

/** JSON-RPC error codes the engine uses beyond the standard ones (-32700 parse, -32600 invalid request,
 *  -32601 method not found, -32602 invalid params, -32603 internal). */
export const EngineErrorCode = {
  /** A Python exception inside a method; data = {type, message, traceback}. */
  MethodFailed: -32000,
  /** CUDA (or MPS) out of memory; data.hint says to lower micro_batch_tokens / batch size. */
  OutOfMemory: -32001,
  /** initialize was called with another protocol version. */
  ProtocolMismatch: -32002,
  /** A method that needs a model was called before load_model / init_model. */
  NoModel: -32003,
  /** config.json names a model_type the engine does not implement, or a tensor shape does not match. */
  BadModel: -32004,
} as const;

export interface ErrorData { type: string; message: string; traceback?: string; hint?: string }

// ---- initialize ------------------------------------------------------------------------------------------------
export interface InitializeParams {
  protocol_version: number;
  /** "auto" (cuda > mps > cpu), or an explicit torch device string. */
  device?: 'auto' | 'cpu' | 'cuda' | 'mps' | string;
  /** "auto": bf16 on CUDA when supported, else fp32. */
  dtype?: 'auto' | 'float32' | 'bfloat16' | 'float16';
  seed?: number;
  /** CPU threads; default os.cpu_count(). */
  num_threads?: number;
}
export interface InitializeResult {
  protocol_version: number;
  engine_version: string;
  torch_version: string;
  python_version: string;
  device: string;          // e.g. "cpu", "cuda:0"
  device_name: string;     // e.g. "NVIDIA H100 80GB HBM3" or the CPU model
  dtype: string;
  world_size: number;      // > 1 under torchrun
  memory: { total_bytes: number | null; free_bytes: number | null };
}

// ---- models ----------------------------------------------------------------------------------------------------
export interface LoraConfig { r: number; alpha: number; dropout: number; target_modules: string[] }
export interface LoadModelParams {
  /** A Hugging Face folder: config.json + model.safetensors (or model.safetensors.index.json shards). */
  path: string;
  /** LoRA on top of the base weights; absent = full fine-tuning. */
  lora?: LoraConfig | null;
  /** Enable gradient checkpointing in the update pass (saves memory, costs ~30% time). */
  gradient_checkpointing?: boolean;
}
/** Random weights from a config (tests and the demo), written to `out` as a HF folder, then loaded. */
export interface InitModelParams extends Omit<LoadModelParams, 'path'> {
  config: ModelConfig;
  out: string;
  seed?: number;
}
/** The subset of a HF config.json the engine reads. */
export interface ModelConfig {
  model_type: 'llama' | 'qwen2' | 'qwen3';
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim?: number;
  rms_norm_eps?: number;
  rope_theta?: number;
  rope_scaling?: Record<string, unknown> | null;
  max_position_embeddings?: number;
  tie_word_embeddings?: boolean;
  attention_bias?: boolean;
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
  [k: string]: unknown;
}
export interface ModelInfo {
  model_type: string;
  num_parameters: number;
  trainable_parameters: number;
  vocab_size: number;
  lora: boolean;
}

// ---- generate --------------------------------------------------------------------------------------------------
export interface GenerateParams {
  /** One token-id list per prompt (no padding; the engine left-pads). */
  prompts: number[][];
  /** Samples per prompt (G). Each prompt is prefilled once and its KV cache repeated n times. */
  n: number;
  max_new_tokens: number;
  /** 0 = greedy. */
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_token_ids?: number[];
  seed?: number;
  /** Use the base weights (LoRA off) — e.g. to evaluate the reference policy. */
  disable_adapter?: boolean;
}
export interface GenerateResult {
  /** prompts.length × n entries, prompt-major: completions[i * n + j] is sample j of prompt i. */
  completions: Array<{
    prompt_index: number;
    ids: number[];
    /** Log-prob of each sampled token under the sampling policy (temperature applied as TRL does: logits / T). */
    logprobs: number[];
    finish_reason: 'stop' | 'length';
  }>;
  tokens_per_second: number;
  seconds: number;
}

// ---- updates ---------------------------------------------------------------------------------------------------
export type LossType = 'grpo' | 'bnpo' | 'dr_grpo' | 'dapo';
export interface LossConfig {
  loss_type: LossType;
  epsilon_low: number;       // TRL `epsilon`
  epsilon_high: number;      // TRL `epsilon_high` (DAPO 0.28)
  beta: number;              // KL weight (k3 estimator); 0 = no KL and no reference pass
  max_completion_length: number; // for dr_grpo's normaliser
  mask_truncated_completions: boolean;
  /** temperature used at sampling; logits are divided by it when recomputing log-probs (TRL). */
  temperature: number;
}
export interface TrainSequence {
  prompt_ids: number[];
  completion_ids: number[];
  advantage: number;
  /** Sampling-time log-probs; required when num_iterations > 1 (else the current policy's detached log-probs). */
  old_logprobs?: number[];
  /** true when the completion hit max_new_tokens (finish_reason "length"). */
  truncated?: boolean;
  /** Completions of one prompt share a group id: the prompt is run once and its KV shared (exact gradient). */
  group?: number;
}
export interface TrainStepParams {
  sequences: TrainSequence[];
  loss: LossConfig;
  /** Token budget per micro-batch; gradients accumulate across micro-batches. */
  micro_batch_tokens?: number;
}
export interface TrainStepResult {
  loss: number;
  grad_norm: number;
  learning_rate: number;
  kl: number | null;
  entropy: number;
  clip_ratio: { low_mean: number; high_mean: number; region_mean: number };
  num_tokens: number;
  /** Sequences skipped because their advantage was exactly 0. */
  skipped_sequences: number;
  seconds: number;
}

export interface OptimizerConfig {
  lr: number;
  weight_decay: number;
  betas: [number, number];
  /** AdamW epsilon; default 1e-8. */
  eps?: number;
  max_grad_norm: number;
  schedule: 'constant' | 'linear' | 'cosine' | 'cosine_with_restarts' | 'exponential';
  warmup_steps: number;
  total_steps: number;
  /** cosine_with_restarts: number of cycles. */
  num_cycles?: number;
  /** exponential: lr = lr0 * gamma ** step (ToolExpander's decay). */
  gamma?: number;
}
export type ConfigureOptimizerParams = OptimizerConfig;

export interface SftStepParams {
  /** Cross-entropy on target tokens only. */
  examples: Array<{ prompt_ids: number[]; target_ids: number[] }>;
  micro_batch_tokens?: number;
}
export interface SftStepResult { loss: number; grad_norm: number; learning_rate: number; num_tokens: number; seconds: number }

export interface EvaluateLogprobsParams {
  sequences: Array<{ prompt_ids: number[]; completion_ids: number[] }>;
  disable_adapter?: boolean;
  /** Logits are divided by it before the log-softmax (as train_step does); default 1. */
  temperature?: number;
}
export interface EvaluateLogprobsResult { logprobs: number[][] }

// ---- persistence -----------------------------------------------------------------------------------------------
export interface SaveParams {
  /** Folder to write (atomically: temp folder + rename). */
  path: string;
  /** "merged": a full HF folder (LoRA merged in); "adapter": adapter_model.safetensors + adapter_config.json;
   *  "checkpoint": weights + optimizer + scheduler + RNG state, for bit-for-bit resume. */
  kind: 'merged' | 'adapter' | 'checkpoint';
  /** Extra JSON written as trainer_state.json next to a checkpoint (the orchestrator's own state). */
  trainer_state?: unknown;
  /** "merged" only: store the weights in this dtype (bfloat16 ships a model at half the size); default: the model's. */
  dtype?: 'float32' | 'bfloat16' | 'float16';
}
export interface SaveResult { path: string; bytes: number }
export interface LoadCheckpointParams { path: string }
export interface LoadCheckpointResult { step: number; trainer_state: unknown }

export interface ExportOnnxParams {
  /** A merged HF folder, or omitted for the loaded model. */
  model_path?: string;
  /** Folder receiving onnx/model.onnx (+ config.json copied when missing). */
  out: string;
  opset?: number;
}
export interface ExportOnnxResult { path: string; bytes: number; seconds: number }

export interface LogitsParams { input_ids: number[][]; attention_mask?: number[][] }
export interface LogitsResult { /** last-position logits per row */ logits: number[][] }

// ---- notifications (engine → client) ----------------------------------------------------------------------------
export interface LogNotification { level: 'debug' | 'info' | 'warning' | 'error'; message: string }
export interface ProgressNotification { task: string; done: number; total: number }

/** Method name → [params, result]. The client's `request` is typed from this map. */
export interface EngineMethods {
  initialize: [InitializeParams, InitializeResult];
  load_model: [LoadModelParams, ModelInfo];
  init_model: [InitModelParams, ModelInfo];
  configure_optimizer: [ConfigureOptimizerParams, { ok: true }];
  generate: [GenerateParams, GenerateResult];
  train_step: [TrainStepParams, TrainStepResult];
  sft_step: [SftStepParams, SftStepResult];
  evaluate_logprobs: [EvaluateLogprobsParams, EvaluateLogprobsResult];
  logits: [LogitsParams, LogitsResult];
  save: [SaveParams, SaveResult];
  load_checkpoint: [LoadCheckpointParams, LoadCheckpointResult];
  export_onnx: [ExportOnnxParams, ExportOnnxResult];
  shutdown: [Record<string, never>, { ok: true }];
}
export interface EngineNotifications { log: LogNotification; progress: ProgressNotification }
