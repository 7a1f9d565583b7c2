// Which charts the dashboard draws, from the metric keys a run logged (TRL names, STYLE.md). A chart whose keys
// were never logged is not drawn. One small chart per reward part (`rewards/<part>/mean`).
import type { MetricColumns } from './protocol';
import type { SeriesRequest } from './chartData';

export interface ChartSpec {
  id: string;
  title: string;
  source: 'metrics' | 'evals';
  series: SeriesRequest[];
  /** y range fixed to [0, 1] (rewards and accuracies) so runs compare at a glance. */
  unit?: boolean;
}

// Call-row accuracy beside the total: a policy that stops calling must not look like progress (issue 11).
const EVAL_KEYS = ['eval/accuracy', 'eval/call_accuracy', 'eval/name_accuracy', 'eval/args_accuracy', 'eval/format_valid', 'eval/no_call_accuracy'];

export function chartSpecs(metricKeys: Iterable<string>, evalKeys: Iterable<string>): ChartSpec[] {
  const keys = new Set(metricKeys);
  const ekeys = new Set(evalKeys);
  const specs: ChartSpec[] = [];
  const single = (id: string, key: string, title = key) => { if (keys.has(key)) specs.push({ id, title, source: 'metrics', series: [{ key }] }); };
  if (keys.has('reward')) specs.push({ id: 'reward', title: 'reward (mean ± std)', source: 'metrics', series: [{ key: 'reward', ...(keys.has('reward_std') ? { stdKey: 'reward_std' } : {}) }] });
  for (const k of [...keys].sort()) {
    const m = /^rewards\/(.+)\/mean$/.exec(k);
    if (m) specs.push({ id: `part:${m[1]}`, title: `reward part: ${m[1]}`, source: 'metrics', series: [{ key: k }] });
  }
  const evals = EVAL_KEYS.filter((k) => ekeys.has(k));
  if (evals.length) specs.push({ id: 'eval', title: 'eval accuracy', source: 'evals', series: evals.map((key) => ({ key })), unit: true });
  single('zero_std', 'frac_reward_zero_std', 'frac_reward_zero_std (collapse watch)');
  single('hard_pool', 'hard_pool/size');
  single('length', 'completions/mean_length', 'completion length');
  single('clipped', 'completions/clipped_ratio', 'completions clipped ratio');
  single('kl', 'kl');
  single('entropy', 'entropy');
  const clips = [...keys].filter((k) => k.startsWith('clip_ratio/')).sort();
  if (clips.length) specs.push({ id: 'clip', title: 'clip ratios', source: 'metrics', series: clips.map((key) => ({ key })) });
  single('lr', 'learning_rate', 'learning rate');
  single('grad_norm', 'grad_norm', 'grad norm');
  return specs;
}

export function keysOf(cols: MetricColumns | undefined): string[] {
  return cols ? Object.keys(cols.values).filter((k) => cols.values[k]!.some((v) => v !== null)) : [];
}
