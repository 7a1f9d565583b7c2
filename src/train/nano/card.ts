// ToolTune Nano's model card (issue 11, item 3): models/nano/README.md, written from the files the pretraining run
// leaves beside the weights (pretraining/recipe.json, metrics.jsonl, probe.jsonl, summary.json) and the zero-shot
// evaluations saved as pretraining/zero-shot/<name>.json (`tooltune eval --json` output). Nothing in it is typed by
// hand, so it cannot drift from the weights: the sha256 is computed here and a test checks it against the file.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Summary { step: number; tokens: number; rows: number; seconds: number; seed: number; command?: string; device?: string }
type Metric = { step: number; loss: number; num_tokens: number; time: number };
type Probe = { step: number; tokens: number; accuracy: number; call_accuracy: number; copy_rate: number; name_rate: number; format_valid: number; n: number };

const readLines = <T>(f: string): T[] => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => { try { return [JSON.parse(l) as T]; } catch { return []; } }) : []);
const pct = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The sha256 the card states for the weights (what the shipped-weights test compares with). */
export function cardSha256(cardText: string): string | null {
  return /model\.safetensors` sha256: `([0-9a-f]{64})`/.exec(cardText)?.[1] ?? null;
}

/** Loss (EMA 0.98, debiased) against tokens as a small SVG line chart. */
export function lossSvg(metrics: readonly Metric[], width = 640, height = 240): string {
  const pts: Array<[number, number]> = [];
  let ema = 0;
  metrics.forEach((m, i) => { ema = 0.98 * ema + 0.02 * m.loss; pts.push([m.num_tokens, ema / (1 - 0.98 ** (i + 1))]); });
  if (!pts.length) return '';
  const maxX = Math.max(...pts.map((p) => p[0]), 1);
  const ys = pts.map((p) => Math.log10(Math.max(p[1], 1e-4)));
  const lo = Math.min(...ys), hi = Math.max(...ys, lo + 1e-6);
  const pad = 40;
  const xy = pts.map((p, i) => `${(pad + (p[0] / maxX) * (width - 2 * pad)).toFixed(1)},${(height - pad - ((ys[i] - lo) / (hi - lo)) * (height - 2 * pad)).toFixed(1)}`);
  const every = Math.max(1, Math.floor(xy.length / 600));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${xy.filter((_, i) => i % every === 0 || i === xy.length - 1).join(' ')}"/>
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#555"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#555"/>
<text x="${width / 2}" y="${height - 10}" text-anchor="middle">tokens seen (0 – ${(maxX / 1e6).toFixed(1)}M)</text>
<text x="${pad - 4}" y="${pad}" text-anchor="end">${(10 ** hi).toFixed(2)}</text><text x="${pad - 4}" y="${height - pad}" text-anchor="end">${(10 ** lo).toFixed(2)}</text>
<text x="${pad + 6}" y="${pad - 8}">training loss (answer tokens, EMA, log scale)</text>
</svg>
`;
}

/** Write README.md and pretraining/loss.svg into a shipped Nano folder. Returns the card's text. */
export function writeNanoCard(dir: string): string {
  const pre = join(dir, 'pretraining');
  const recipe = JSON.parse(readFileSync(join(pre, 'recipe.json'), 'utf8')) as { seed: number; recipe: Record<string, number>; shape: Record<string, number>; vocab: Record<string, number> };
  const summary = JSON.parse(readFileSync(join(pre, 'summary.json'), 'utf8')) as Summary;
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const metrics = readLines<Metric>(join(pre, 'metrics.jsonl'));
  const probes = readLines<Probe>(join(pre, 'probe.jsonl'));
  writeFileSync(join(pre, 'loss.svg'), lossSvg(metrics));
  const weights = join(dir, 'model.safetensors');
  const sha = sha256File(weights);
  const mb = (readFileSync(weights).length / 1e6).toFixed(1);
  const zsDir = join(pre, 'zero-shot');
  const zeroShot = existsSync(zsDir) ? readdirSync(zsDir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(zsDir, f), 'utf8')) as Record<string, unknown>] as const) : [];
  const probeRows = probes.filter((_, i) => i === 0 || i === probes.length - 1 || i % Math.max(1, Math.ceil(probes.length / 10)) === 0);
  const k = (r: Record<string, unknown>) => Object.keys(r).find((key) => /^pass_at_\d+$/.test(key) && !key.startsWith('call')) ?? 'pass_at_8';
  const lines = [
    '# ToolTune Nano',
    '',
    'A small Qwen3-shaped decoder pretrained by ToolTune on procedurally generated tool domains (issue 11), so that GRPO',
    'starts from a model that can already read a tool list and copy values from a request. It has never seen the',
    "sample workspace's tools or `test/fixtures/domain2/`: those two measure transfer. Not a general chat model.",
    '',
    '## Model',
    `- ${config.num_hidden_layers} layers, hidden ${config.hidden_size}, ${config.num_attention_heads}/${config.num_key_value_heads} heads (head_dim ${config.head_dim}), ` +
      `MLP ${config.intermediate_size}, RoPE θ ${config.rope_theta}, tied embeddings, vocabulary ${config.vocab_size} (the Qwen3 tokenizer trimmed: ` +
      `its ${recipe.vocab.keepTopIds} most frequent pieces, the generator's text, all 256 bytes, so any text encodes).`,
    `- Chat template: Qwen3's, with each tool written as a one-line signature and its description, and brief tool instructions (src/train/demo/compactTools.ts). Calls in Hermes \`<tool_call>\` format.`,
    `- Weights: \`model.safetensors\` (${config.torch_dtype}, ${mb} MB); \`model.safetensors\` sha256: \`${sha}\``,
    '',
    '## Pretraining',
    `- ${summary.step.toLocaleString('en')} steps × ${recipe.recipe.batchSize} rows = ${summary.rows.toLocaleString('en')} generated rows, ` +
      `${(summary.tokens / 1e6).toFixed(1)}M tokens (prompt + answer), ${(summary.seconds / 3600).toFixed(2)} hours on ${summary.device ?? 'CPU (2 cores, 1 torch thread)'}, seed ${summary.seed}.`,
    `- Loss on the answer tokens only (the engine's \`sft_step\`); AdamW lr ${recipe.recipe.lr}, cosine over ${recipe.recipe.totalSteps} steps after ${recipe.recipe.warmupSteps} warm-up steps; ` +
      `a curriculum from one small tool to 3–12 tools over the first ${recipe.recipe.curriculumSteps} steps; a new random domain every ${recipe.recipe.rowsPerDomain} rows.`,
    `- Rebuild (resumable: the same command continues from the last checkpoint in its --out folder):`,
    '  ```',
    `  ${summary.command ?? `npm run build && node dist/cli.js pretrain --out .tooltune/nano-pretrain --minutes 0 --steps ${summary.step} --seed ${summary.seed} --threads 1 --ship models/nano`}`,
    '  ```',
    '',
    '![loss](pretraining/loss.svg)',
    '',
    '### Probe during pretraining (greedy, held-out generated domains)',
    '| step | tokens | exact | call rows exact | values copied | tool names | format valid |',
    '|---|---|---|---|---|---|---|',
    ...probeRows.map((p) => `| ${p.step} | ${(p.tokens / 1e6).toFixed(1)}M | ${pct(p.accuracy)} | ${pct(p.call_accuracy)} | ${pct(p.copy_rate)} | ${pct(p.name_rate)} | ${pct(p.format_valid)} |`),
    '',
    '## Zero-shot on domains it has never seen',
    ...(zeroShot.length ? [
      'Measured with `tooltune eval --model nano --tools T --data D --samples 8 --json` (greedy exact match; pass@8 at temperature 1).',
      '',
      '| domain | rows | exact (greedy) ± s.e. | call rows exact | pass@8 | call rows pass@8 | rows with 1–7 of 8 right | format valid |',
      '|---|---|---|---|---|---|---|---|',
      ...zeroShot.map(([name, r]) => {
        const n = Number(r.n ?? 0); const acc = Number(r.accuracy);
        const se = n > 0 ? Math.sqrt(acc * (1 - acc) / n) : NaN;
        return `| ${name} | ${n} | ${pct(acc)} ± ${pct(se)} | ${pct(r.call_accuracy)} | ${pct(r[k(r)])} | ${pct(r[`call_${k(r)}`])} | ${pct(r.learnable_rows)} | ${pct(r.format_valid)} |`;
      }),
    ] : ['Not measured yet.']),
    '',
  ];
  const text = lines.join('\n');
  writeFileSync(join(dir, 'README.md'), text);
  return text;
}
