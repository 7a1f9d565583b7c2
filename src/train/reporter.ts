// How a training run shows itself on the terminal: `--events jsonl` (one TrainEvent per stdout line, for the
// extension), a one-line progress bar on a TTY (step, reward, eval accuracy, ETA), or plain lines otherwise (CI logs).
import type { TrainEvent } from './events';

export type Reporter = (e: TrainEvent) => void;
export type ReporterMode = 'jsonl' | 'tty' | 'plain' | 'silent';

/** `12m05s`, `48s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const pct = (x: number | undefined) => (x === undefined ? '–' : `${(100 * x).toFixed(1)}%`);

interface Out { write(s: string): unknown; columns?: number }

export function createReporter(mode: ReporterMode, out: Out = process.stdout, err: Out = process.stderr): Reporter {
  if (mode === 'silent') return () => undefined;
  if (mode === 'jsonl') return (e) => { out.write(JSON.stringify(e) + '\n'); };
  let lastAcc: number | undefined;
  let total = 0;
  let started = Date.now();
  let firstStepAt: { step: number; t: number } | null = null;
  let barShown = false;
  const clearBar = () => { if (barShown) { out.write('\r\x1b[2K'); barShown = false; } };
  const line = (s: string) => { if (mode === 'tty') clearBar(); out.write(s + '\n'); };
  return (e) => {
    switch (e.type) {
      case 'run_started':
        total = e.total_steps; started = Date.now(); firstStepAt = null;
        line(`run ${e.run_dir}${e.resumed_from_step !== undefined ? ` (resumed from step ${e.resumed_from_step})` : ''}`);
        break;
      case 'phase': line(`== ${e.phase}${e.message ? `: ${e.message}` : ''}`); break;
      case 'progress':
        if (mode === 'tty') { out.write(`\r\x1b[2K${e.task} ${e.done}/${e.total}`); barShown = true; }
        // Plain logs show long tasks only (eval, downloads), in tenths; per-request engine progress would flood them.
        else if (e.total >= 10 && (e.done === e.total || e.done % Math.ceil(e.total / 10) === 0)) line(`${e.task} ${e.done}/${e.total}`);
        break;
      case 'sft_step':
        if (mode === 'tty') { out.write(`\r\x1b[2Ksft ${e.step}/${e.total} loss ${e.loss.toFixed(4)}`); barShown = true; }
        else if (e.step === e.total || e.step % 25 === 0) line(`sft ${e.step}/${e.total} loss ${e.loss.toFixed(4)}`);
        break;
      case 'step': {
        const m = e.metrics;
        const now = Date.now() / 1000;
        if (!firstStepAt) firstStepAt = { step: m.step - 1, t: now - (m.step_time ?? 0) };
        const rate = (now - firstStepAt.t) / Math.max(1, m.step - firstStepAt.step);
        const eta = formatDuration(rate * (total - m.step));
        const text = `step ${m.step}/${total} reward ${m.reward.toFixed(3)} zero-std ${pct(m.frac_reward_zero_std)} ` +
          `eval acc ${pct(lastAcc)} ETA ${eta}`;
        if (mode === 'tty') {
          const width = Math.max(10, Math.min(30, (out.columns ?? 80) - text.length - 4));
          const filled = Math.round((width * m.step) / Math.max(1, total));
          out.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
          barShown = true;
        } else line(text);
        break;
      }
      case 'eval': {
        const r = e.record;
        lastAcc = r['eval/accuracy'];
        const passK = r['eval/pass_at_k'] !== undefined ? ` pass@k ${pct(r['eval/pass_at_k'])}` : '';
        line(`eval @${r.step}: accuracy ${pct(r['eval/accuracy'])} format ${pct(r['eval/format_valid'])} ` +
          `names ${pct(r['eval/name_accuracy'])} args ${pct(r['eval/args_accuracy'])}${passK} (n=${r.n})`);
        break;
      }
      case 'checkpoint': if (mode !== 'tty') line(`checkpoint step ${e.step}: ${e.path}`); break;
      case 'rollouts': break;
      case 'log':
        if (e.level === 'debug') break;
        if (mode === 'tty') clearBar();
        err.write(`${e.level === 'info' ? '' : `${e.level}: `}${e.message}\n`);
        break;
      case 'run_finished':
        line(`run ${e.status} after ${formatDuration((Date.now() - started) / 1000)}: ${e.run_dir}${e.error ? `\nerror: ${e.error}` : ''}`);
        break;
    }
  };
}
