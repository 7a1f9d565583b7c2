// Shared fixtures for the training integration tests: a small tool domain written to a temp folder and a tiny
// Qwen3-shaped model (random weights from the real engine, the real Qwen3 tokenizer trimmed to the domain).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PromptRenderer } from '../../../src/core/prompt';
import { getCodec } from '../../../src/core/codecs';
import { loadTokenizer, qwen3TokenizerFolder, writeTokenizerFolder } from '../../../src/core/tokenizer';
import { parseDatasetText } from '../../../src/core/dataset';
import { parseTools } from '../../../src/core/tools';
import { EngineClient } from '../../../src/engine/client';
import { PROTOCOL_VERSION } from '../../../src/engine/protocol';
import { trimVocabulary } from '../../../src/train/demo/vocabTrim';
import { EXTRA_TEXTS } from '../../../src/train/demoModel';

export const PYTHON = process.env.TOOLTUNE_PYTHON ?? '/usr/bin/python3';
export const ROOT = join(__dirname, '..', '..', '..');

const TOOLS = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } } },
  { type: 'function', function: { name: 'set_timer', description: 'Start a timer', parameters: { type: 'object', properties: { minutes: { type: 'integer' } }, required: ['minutes'] } } },
];
const CITIES = ['Paris', 'Rome', 'Oslo', 'Lima', 'Cairo', 'Tokyo'];

function rows(n: number, offset: number): string {
  const out: string[] = [];
  for (let i = offset; i < offset + n; i++) {
    if (i % 3 === 0) {
      const city = CITIES[i % CITIES.length]; const unit = i % 2 ? 'celsius' : 'fahrenheit';
      out.push(JSON.stringify({ id: `w${i}`, messages: [{ role: 'user', content: `Weather in ${city} in ${unit}?` }], expected: [{ name: 'get_weather', arguments: { city, unit } }] }));
    } else if (i % 3 === 1) {
      out.push(JSON.stringify({ id: `t${i}`, messages: [{ role: 'user', content: `Set a timer for ${i} minutes` }], expected: [{ name: 'set_timer', arguments: { minutes: i } }] }));
    } else {
      out.push(JSON.stringify({ id: `n${i}`, messages: [{ role: 'user', content: 'Tell me a joke' }], expected: [] }));
    }
  }
  return out.join('\n') + '\n';
}

export interface Domain { dir: string; tools: string; train: string; eval: string }

export function writeDomain(): Domain {
  const dir = mkdtempSync(join(tmpdir(), 'tt-train-'));
  const d = { dir, tools: join(dir, 'tools.json'), train: join(dir, 'train.jsonl'), eval: join(dir, 'eval.jsonl') };
  writeFileSync(d.tools, JSON.stringify(TOOLS));
  writeFileSync(d.train, rows(24, 0));
  writeFileSync(d.eval, rows(4, 100));
  return d;
}

let cached: string | null = null;

/** A tiny model folder (created once per process): 2 layers, d 32, trimmed Qwen3 vocabulary. */
export async function tinyModel(): Promise<string> {
  if (cached && existsSync(join(cached, 'model.safetensors'))) return cached;
  const d = writeDomain();
  const tools = parseTools(readFileSync(d.tools, 'utf8'), d.tools).tools;
  const all = [...parseDatasetText(readFileSync(d.train, 'utf8'), d.train, { tools }).rows, ...parseDatasetText(readFileSync(d.eval, 'utf8'), d.eval, { tools }).rows];
  const full = loadTokenizer(qwen3TokenizerFolder());
  const src = qwen3TokenizerFolder();
  const trimmed = trimVocabulary(full, JSON.parse(readFileSync(join(src, 'tokenizer.json'), 'utf8')),
    JSON.parse(readFileSync(join(src, 'tokenizer_config.json'), 'utf8')), [...EXTRA_TEXTS, ...all.flatMap((r) => [new PromptRenderer(full).renderText(r), getCodec('hermes').format(r.expected)])], { padToMultipleOf: 64 });
  const folder = join(mkdtempSync(join(tmpdir(), 'tt-tiny-model-')), 'model');
  writeTokenizerFolder(folder, trimmed.tokenizerJson, trimmed.tokenizerConfig);
  const eos = loadTokenizer(folder).tokenId('<|im_end|>');
  const engine = EngineClient.start({ python: PYTHON });
  try {
    await engine.request('initialize', { protocol_version: PROTOCOL_VERSION, device: 'cpu', seed: 0 });
    await engine.request('init_model', { out: folder, seed: 0, config: {
      model_type: 'qwen3', vocab_size: trimmed.modelVocabSize, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2,
      num_attention_heads: 2, num_key_value_heads: 1, head_dim: 16, rope_theta: 10000, tie_word_embeddings: true,
      max_position_embeddings: 2048, eos_token_id: eos, bos_token_id: null,
    } });
  } finally { await engine.dispose(); }
  cached = folder;
  return folder;
}

/** A copy of a model folder (tests that modify it). */
export function copyModel(folder: string): string {
  const to = join(mkdtempSync(join(tmpdir(), 'tt-model-copy-')), 'model');
  mkdirSync(to);
  cpSync(folder, to, { recursive: true });
  return to;
}

/** Tiny run settings: seconds per step on 2 cores. */
export function tinyConfig(dir: string, over: Record<string, unknown> = {}): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({
    max_steps: 2, prompts_per_step: 2, num_generations: 2, max_completion_length: 12, learning_rate: 1e-3,
    lr_scheduler_type: 'constant', save_steps: 1, export_onnx: false, seed: 3,
    sft: { steps: 1, batch_size: 2, learning_rate: 1e-3 }, eval: { every: 1, max_rows: 2, pass_at_k: 0 }, ...over,
  }));
  return file;
}

export interface CliRun { code: number | null; signal: string | null; stdout: string; stderr: string }

/** Run `tooltune <args>` as a child process (the way the extension does); `onLine` sees each stdout line. */
export function runCli(args: string[], opts: { onLine?: (line: string, child: ReturnType<typeof spawn>) => void; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT, env: { ...process.env, TOOLTUNE_PYTHON: PYTHON, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = ''; let stderr = ''; let partial = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => {
      stdout += c;
      const lines = (partial + c).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) opts.onLine?.(l, child);
    });
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
