// `tooltune bench inline [--model FOLDER] [--prompts 50] [--backends ort,transformers] [--threads 1] [--json]`
// (`npm run bench:inline`): how fast the tuned model answers inline. For each backend, in a fresh worker thread (as
// the editor runs it): model load time, then over N prompts (~400 tokens: a sample-workspace request with its own
// tools plus others up to that length) time to first token and end-to-end latency of one tool-call completion,
// p50/p95, measured on the calling thread; and the calling thread's event-loop delay while generating
// (perf_hooks.monitorEventLoopDelay; target: never blocked > 50 ms) next to how long that thread itself was busy per
// request (performance.eventLoopUtilization), which separates our own blocking from the machine's scheduling delay. Target: p50 end-to-end ≤ 250 ms on 2 cores.
//
// Each backend runs each ONNX variant present: fp32 (onnx/model.onnx) and int8 (onnx/model_int8.onnx, int8 head),
// interleaved prompt by prompt (see benchCombos). The event-loop delay is also measured in idle windows between
// prompts (the machine's own noise: on a loaded 2-core box the calling thread is descheduled now and then, whoever
// is working).
//
// Model: --model (an exported folder, e.g. a demo run's final/); without it, a 20M-parameter Qwen3-shaped random
// model with the real Qwen3 tokenizer (d 128, 4 layers, 4 q / 2 kv heads, head_dim 32, tied 151,936 vocabulary —
// ARCHITECTURE.md's measured shape) is created by the engine and exported once into the cache. A random or briefly
// trained model does not reliably stop by itself, so by default each completion generates exactly as many tokens as
// the request's gold tool call (codec-formatted) plus the end-of-turn token: the length of a real tool-call answer.
// --until-stop lets the model end its turn itself (at most 128 tokens).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { codecForModelType } from '../../core/codecs';
import { PromptRenderer } from '../../core/prompt';
import { copyQwen3Tokenizer, loadTokenizer } from '../../core/tokenizer';
import { loadTools } from '../../core/tools';
import type { ChatMessage, ExpectedCall, ToolDef } from '../../core/types';
import { EngineClient } from '../../engine/client';
import { PROTOCOL_VERSION, type ModelConfig } from '../../engine/protocol';
import { defaultCandidates, formatPreflight, preflight } from '../../engine/python';
import { readModelFolder, VARIANT_FILE, type OnnxVariant } from '../../infer/model-folder';
import type { DecoderBackend } from '../../infer/onnx-decoder';
import { InferenceService } from '../../infer/service';
import { defaultCacheDir } from '../../train/modelSource';
import { exportInt8 } from './export';

export const USAGE = 'usage: tooltune bench inline [--model FOLDER] [--prompts 50] [--backends ort,transformers] [--variants fp32,int8] [--threads 1] [--until-stop] [--workspace sample-workspace] [--json]';

/** ARCHITECTURE.md "Facts measured on this hardware": the 20M-parameter shape. */
export const BENCH_20M: ModelConfig = {
  model_type: 'qwen3', vocab_size: 151936, hidden_size: 128, intermediate_size: 384, num_hidden_layers: 4,
  num_attention_heads: 4, num_key_value_heads: 2, head_dim: 32, rms_norm_eps: 1e-6, rope_theta: 1e6,
  max_position_embeddings: 4096, tie_word_embeddings: true, eos_token_id: 151645,
};
const TARGET_P50_MS = 250;
const TARGET_BLOCK_MS = 50;
const PROMPT_TOKENS = 400;

export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

interface BenchPrompt { messages: ChatMessage[]; tools: ToolDef[]; promptTokens: number; goldTokens: number }

/** Requests from the workspace's eval (or train) rows, each with its expected tools plus others up to ~400 tokens. */
function buildPrompts(workspace: string, modelDir: string, n: number, allTools: ToolDef[]): BenchPrompt[] {
  const file = ['eval.jsonl', 'train.jsonl'].map((f) => join(workspace, f)).find(existsSync);
  if (!file) throw new Error(`${workspace}: no eval.jsonl or train.jsonl to take requests from (use --workspace)`);
  const tok = loadTokenizer(modelDir);
  const renderer = new PromptRenderer(tok);
  const codec = codecForModelType(readModelFolder(modelDir).modelType);
  const out: BenchPrompt[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (out.length >= n) break;
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { messages: ChatMessage[]; expected: ExpectedCall[] };
    if (!row.expected?.length) continue; // a tool-call completion: rows that expect calls
    const names = new Set(row.expected.map((c) => c.name));
    const tools = allTools.filter((t) => names.has(t.function.name));
    let ids = renderer.promptIds({ messages: row.messages, tools });
    for (const t of allTools) {
      if (ids.length >= PROMPT_TOKENS) break;
      if (names.has(t.function.name)) continue;
      const more = renderer.promptIds({ messages: row.messages, tools: [...tools, t] });
      if (more.length > PROMPT_TOKENS + 150) continue;
      tools.push(t);
      ids = more;
    }
    out.push({ messages: row.messages, tools, promptTokens: ids.length, goldTokens: renderer.sftTargetIds(codec.format(row.expected)).length });
  }
  if (out.length < n) throw new Error(`${file}: only ${out.length} rows with expected calls; ${n} prompts were asked for`);
  return out;
}

/** The default bench model: the 20M random model, created and exported once into the cache. */
async function ensureBenchModel(log: (s: string) => void): Promise<string> {
  const dir = join(defaultCacheDir(), 'bench-inline-qwen3-20m');
  if (['model.onnx', 'model_int8.onnx'].every((f) => existsSync(join(dir, 'onnx', f))) && existsSync(join(dir, 'tokenizer.json'))) return dir;
  const pre = await preflight(defaultCandidates());
  if (!pre.ok || !pre.python) throw new Error(`creating the bench model needs the engine:\n${formatPreflight(pre)}`);
  log(`creating the 20M-parameter bench model in ${dir} (once)…`);
  const engine = EngineClient.start({ python: pre.python });
  try {
    await engine.request('initialize', { protocol_version: PROTOCOL_VERSION, device: 'cpu', dtype: 'float32' });
    await engine.request('init_model', { config: BENCH_20M, out: dir, seed: 0 });
    await engine.request('export_onnx', { out: dir });
  } finally {
    await engine.dispose();
  }
  exportInt8(pre.python, dir, dir, 17);
  copyQwen3Tokenizer(dir);
  return dir;
}

export interface BackendResult {
  backend: DecoderBackend;
  variant: OnnxVariant;
  loadMs: number;
  firstTokenMs: { p50: number; p95: number };
  endToEndMs: { p50: number; p95: number };
  decodeTokensPerSecond: number;
  meanNewTokens: number;
  eventLoopMaxMs: number;
  eventLoopP99Ms: number;
  /** The calling thread's own work per request (performance.eventLoopUtilization: active ms), worst request. */
  mainThreadActiveMaxMs: number;
  /** Share of prompts whose generated tokens equal the first combination's (ort fp32: the reference): how much a
   *  quantised variant or another runtime changes the answers, not only the speed. */
  sameOutputAsReference: number;
}

interface Combo { backend: DecoderBackend; variant: OnnxVariant }
interface ComboState extends Combo {
  service: InferenceService; loadMs: number; ttft: number[]; e2e: number[]; tokens: number; decodeMs: number;
  loopMax: number; loopP99: number; activeMax: number; outputs: string[];
}

/**
 * Event-loop delay per phase (a request of one combination, or an idle window) from ONE monitorEventLoopDelay that
 * stays enabled: reset at the start of a phase, read at its end. (Disabling and re-enabling a monitor counts the
 * disabled gap as one huge delay.) Per phase we keep the max and the p99; a combination reports the worst of each.
 */
class PhaseLoopDelay {
  private readonly h = monitorEventLoopDelay({ resolution: 5 });
  constructor() { this.h.enable(); }
  start(): void { this.h.reset(); }
  end(): { max: number; p99: number } { return { max: this.h.max / 1e6, p99: this.h.percentile(99) / 1e6 }; }
  stop(): void { this.h.disable(); }
}

/**
 * Runs every combination round-robin, prompt by prompt, each in its own worker with its model loaded: on a shared,
 * noisy machine all combinations then see the same load (sequential blocks measured minutes apart differed 3x).
 * Between prompts an idle window of the same length as the last request measures the event-loop delay the machine
 * adds with nothing generating.
 */
async function benchCombos(combos: Combo[], modelDir: string, prompts: BenchPrompt[], threads: number, fixedLength: boolean,
  log: (s: string) => void): Promise<{ results: BackendResult[]; idle: { maxMs: number; p99Ms: number } }> {
  const states: ComboState[] = [];
  const warm = prompts[0]!;
  try {
    for (const c of combos) {
      const service = new InferenceService();
      const st: ComboState = { ...c, service, loadMs: 0, ttft: [], e2e: [], tokens: 0, decodeMs: 0, loopMax: 0, loopP99: 0, activeMax: 0, outputs: [] };
      states.push(st);
      log(`loading ${c.backend} ${c.variant}…`);
      const t0 = performance.now();
      const first = await service.complete({ modelDir, ...c, threads, messages: warm.messages, tools: warm.tools, maxNewTokens: 1 });
      st.loadMs = first.timings.loadMs || performance.now() - t0;
      // One more warm-up request: the first run of an ORT session allocates its arenas.
      await service.complete({ modelDir, ...c, messages: warm.messages, tools: warm.tools, maxNewTokens: 4 });
    }
    const loop = new PhaseLoopDelay();
    const idle = { max: 0, p99: 0 };
    for (let i = 0; i < prompts.length; i++) {
      const p = prompts[i]!;
      if (i % 10 === 0) log(`prompt ${i + 1}/${prompts.length}…`);
      let longest = 0;
      for (const st of states) {
        loop.start();
        const elu0 = perf.eventLoopUtilization();
        const s = performance.now();
        const r = await st.service.complete({ modelDir, backend: st.backend, variant: st.variant, messages: p.messages, tools: p.tools,
          maxNewTokens: fixedLength ? p.goldTokens : 128 });
        const ms = performance.now() - s;
        const d = loop.end();
        st.activeMax = Math.max(st.activeMax, perf.eventLoopUtilization(elu0).active);
        st.loopMax = Math.max(st.loopMax, d.max);
        st.loopP99 = Math.max(st.loopP99, d.p99);
        longest = Math.max(longest, ms);
        st.e2e.push(ms);
        st.ttft.push(r.timings.firstTokenMs);
        st.tokens += r.ids.length;
        st.outputs.push(r.ids.join(','));
        st.decodeMs += Math.max(0, r.timings.generateMs - r.timings.firstTokenMs);
      }
      loop.start();
      await new Promise((res) => setTimeout(res, Math.min(longest, 2000)));
      const d = loop.end();
      idle.max = Math.max(idle.max, d.max);
      idle.p99 = Math.max(idle.p99, d.p99);
    }
    loop.stop();
    const n = prompts.length;
    const results = states.map((st): BackendResult => ({
      backend: st.backend, variant: st.variant, loadMs: st.loadMs,
      firstTokenMs: { p50: percentile(st.ttft, 50), p95: percentile(st.ttft, 95) },
      endToEndMs: { p50: percentile(st.e2e, 50), p95: percentile(st.e2e, 95) },
      decodeTokensPerSecond: st.decodeMs > 0 ? (st.tokens - n) / (st.decodeMs / 1000) : NaN,
      meanNewTokens: st.tokens / n,
      eventLoopMaxMs: st.loopMax, eventLoopP99Ms: st.loopP99, mainThreadActiveMaxMs: st.activeMax,
      sameOutputAsReference: st.outputs.filter((o, i) => o === states[0]!.outputs[i]).length / n,
    }));
    return { results, idle: { maxMs: idle.max, p99Ms: idle.p99 } };
  } finally {
    for (const st of states) await st.service.dispose();
  }
}

export default async function run(argv: string[]): Promise<number> {
  let a;
  try {
    a = parseArgs({ args: argv, strict: true, options: {
      model: { type: 'string' }, prompts: { type: 'string' }, backends: { type: 'string' }, variants: { type: 'string' }, threads: { type: 'string' },
      workspace: { type: 'string' }, 'until-stop': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    } }).values;
  } catch (e) {
    console.error(`tooltune bench inline: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (a.help) { console.log(USAGE); return 0; }
  const n = a.prompts === undefined ? 50 : Number(a.prompts);
  const threads = a.threads === undefined ? 1 : Number(a.threads);
  const backends = (a.backends ?? 'ort,transformers').split(',').map((s) => s.trim());
  if (!Number.isInteger(n) || n < 1) { console.error('tooltune bench inline: --prompts must be a positive integer'); return 2; }
  if (!Number.isInteger(threads) || threads < 1) { console.error('tooltune bench inline: --threads must be a positive integer'); return 2; }
  if (backends.some((b) => b !== 'ort' && b !== 'transformers')) { console.error('tooltune bench inline: --backends is a list of ort, transformers'); return 2; }
  const variants = (a.variants ?? 'fp32,int8').split(',').map((s) => s.trim());
  if (variants.some((v) => !(v in VARIANT_FILE))) { console.error('tooltune bench inline: --variants is a list of fp32, int8'); return 2; }
  const log = (s: string) => { if (!a.json) console.error(s); };
  // onnxruntime writes a device id into $XDG_CACHE_HOME; keep it inside ToolTune's cache.
  process.env.XDG_CACHE_HOME ??= join(defaultCacheDir(), 'xdg');

  const builtIn = !a.model;
  const modelDir = a.model ? resolve(a.model) : await ensureBenchModel(log);
  const model = readModelFolder(modelDir);
  const workspace = resolve(a.workspace ?? 'sample-workspace');
  const tools = await loadTools(join(workspace, 'tools.json'));
  if (!tools.tools.length) { console.error(`tooltune bench inline: ${join(workspace, 'tools.json')}: no tools`); return 2; }
  const prompts = buildPrompts(workspace, modelDir, n, tools.tools);
  const meanPrompt = prompts.reduce((s, p) => s + p.promptTokens, 0) / n;
  const meanGold = prompts.reduce((s, p) => s + p.goldTokens, 0) / n;
  const describe = builtIn
    ? `20M-parameter Qwen3-shaped random model (d 128, 4 layers, vocab ${model.vocabSize}) with the real Qwen3 tokenizer`
    : `${model.modelType} model, vocab ${model.vocabSize}`;
  const fixedLength = !a['until-stop'];
  log(`model: ${modelDir}\n  ${describe}\nprompts: ${n} (mean ${meanPrompt.toFixed(0)} tokens); completion length: ` +
    `${fixedLength ? `the gold tool call's (mean ${meanGold.toFixed(1)} tokens incl. end of turn)` : 'until the model ends its turn (≤ 128)'}; threads ${threads}`);

  const combos: Combo[] = [];
  for (const v of variants as OnnxVariant[]) {
    if (!existsSync(join(modelDir, 'onnx', VARIANT_FILE[v]))) { log(`skipping ${v}: ${join(modelDir, 'onnx', VARIANT_FILE[v])} not found (tooltune export --int8 writes it)`); continue; }
    for (const b of backends) combos.push({ backend: b as DecoderBackend, variant: v });
  }
  if (!combos.length) { console.error('tooltune bench inline: nothing to run'); return 2; }
  const { results, idle: idleLoop } = await benchCombos(combos, modelDir, prompts, threads, fixedLength, log);
  const best = results.reduce((x, y) => (y.endToEndMs.p50 < x.endToEndMs.p50 ? y : x));
  const summary = {
    model: modelDir, description: describe, prompts: n, meanPromptTokens: meanPrompt, threads, results, idleEventLoop: idleLoop,
    target: { p50EndToEndMs: TARGET_P50_MS, maxEventLoopBlockMs: TARGET_BLOCK_MS,
      metP50: best.endToEndMs.p50 <= TARGET_P50_MS, metEventLoop: results.every((r) => r.eventLoopMaxMs <= TARGET_BLOCK_MS) },
  };
  if (a.json) { console.log(JSON.stringify(summary)); return 0; }
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
  console.log(['backend'.padEnd(18), 'load ms'.padStart(8), 'first token p50/p95'.padStart(20), 'end-to-end p50/p95'.padStart(20),
    'decode tok/s'.padStart(13), 'new tokens'.padStart(11), 'loop max/worst p99 ms'.padStart(22), 'main busy ms'.padStart(13), 'same as ref'.padStart(12)].join(' '));
  for (const r of results) {
    console.log([`${r.backend} ${r.variant}`.padEnd(18), f(r.loadMs).padStart(8), `${f(r.firstTokenMs.p50)} / ${f(r.firstTokenMs.p95)}`.padStart(20),
      `${f(r.endToEndMs.p50)} / ${f(r.endToEndMs.p95)}`.padStart(20), f(r.decodeTokensPerSecond).padStart(13),
      r.meanNewTokens.toFixed(1).padStart(11), `${r.eventLoopMaxMs.toFixed(1)} / ${r.eventLoopP99Ms.toFixed(1)}`.padStart(22), r.mainThreadActiveMaxMs.toFixed(1).padStart(13), `${(100 * r.sameOutputAsReference).toFixed(0)}%`.padStart(12)].join(' '));
  }
  console.log(`${'idle (no work)'.padEnd(18)} ${''.padStart(8)} ${''.padStart(20)} ${''.padStart(20)} ${''.padStart(13)} ${''.padStart(11)} ${`${idleLoop.maxMs.toFixed(1)} / ${idleLoop.p99Ms.toFixed(1)}`.padStart(22)}`);
  console.log(`target p50 end-to-end ≤ ${TARGET_P50_MS} ms: ${summary.target.metP50 ? 'met' : 'NOT met'} (best: ${best.backend} ${best.variant} ${f(best.endToEndMs.p50)} ms); ` +
    `event loop never blocked > ${TARGET_BLOCK_MS} ms: ${summary.target.metEventLoop ? 'met' : 'NOT met'}`);
  return 0;
}
