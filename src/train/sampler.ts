// Which rows a GRPO step trains on, and ToolExpander's Dynamic Multi-Round Hard Sampling (arXiv 2510.07737,
// PAPERS.md §2).
//
// Fresh rows come from a seeded shuffle of the train split, epoch after epoch. Every row's rollouts are counted
// across the rounds it appears in; a row with no correct rollout after `hard_after_rollouts` (paper: 10) is HARD:
// a group of G wrong samples has zero reward spread and teaches nothing (TRL's frac_reward_zero_std). Hard rows go to
// a queue; while ToolExpander is on, each step replaces up to `max_substitution_fraction` of its fresh rows with
// queued hard rows whose prompt gains few-shot demonstrations (fewShot.ts). A substituted row that yields a correct
// rollout has produced a signal and returns to normal sampling with fresh counts; one that does not goes back in the
// queue for another round, and after `max_rounds` rounds it is set aside (retired) — trained on as a plain row,
// never substituted again. With ToolExpander off the same bookkeeping runs (so plain GRPO's hard-pool size can be
// compared), but nothing is substituted.
//
// All state is plain JSON (`state` / `restore`) so a resumed run draws exactly the batches an uninterrupted one would.
import type { DatasetRow } from '../core/types';
import type { ToolExpanderSettings } from './config';
import { Rng } from './rng';

export type RowState = 'normal' | 'hard' | 'retired';

export interface RowStats {
  /** rollouts and correct rollouts since the row last produced a signal */
  rollouts: number;
  correct: number;
  state: RowState;
  /** few-shot rounds spent while hard */
  rounds: number;
}

export interface DrawnRow { row: DatasetRow; fewShot: boolean }

export interface SamplerState {
  rng: number;
  order: number[];
  pos: number;
  epoch: number;
  queue: string[];
  stats: Record<string, RowStats>;
  substitutions_total: number;
}

export class BatchSampler {
  private readonly rng: Rng;
  private order: number[] = [];
  private pos = 0;
  private epoch = 0;
  private queue: string[] = [];
  private stats = new Map<string, RowStats>();
  private readonly byId = new Map<string, DatasetRow>();
  private substitutionsTotal = 0;
  private lastSubstitutions = 0;

  constructor(private readonly rows: readonly DatasetRow[], private readonly perStep: number,
    private readonly te: ToolExpanderSettings, seed: number) {
    if (!rows.length) throw new Error('the train split is empty: add rows to the training dataset');
    this.rng = new Rng(seed ^ 0x5eed);
    for (const r of rows) this.byId.set(r.id, r);
    this.reshuffle();
  }

  private reshuffle(): void {
    this.order = this.rng.shuffle(this.rows.map((_, i) => i));
    this.pos = 0;
    this.epoch++;
  }

  private statsOf(id: string): RowStats {
    let s = this.stats.get(id);
    if (!s) { s = { rollouts: 0, correct: 0, state: 'normal', rounds: 0 }; this.stats.set(id, s); }
    return s;
  }

  /** The rows of the next step: queued hard rows (few-shot) first, then fresh rows. */
  next(): DrawnRow[] {
    const out: DrawnRow[] = [];
    const taken = new Set<string>();
    if (this.te.enabled) {
      const maxHard = Math.floor(this.te.max_substitution_fraction * this.perStep);
      while (out.length < maxHard && this.queue.length) {
        const id = this.queue.shift()!;
        out.push({ row: this.byId.get(id)!, fewShot: true });
        taken.add(id);
      }
    }
    this.lastSubstitutions = out.length;
    this.substitutionsTotal += out.length;
    // Fresh rows; rows waiting in the hard queue are skipped while ToolExpander will serve them with demonstrations.
    let guard = 0;
    while (out.length < this.perStep && guard < 4 * this.rows.length + this.perStep) {
      guard++;
      if (this.pos >= this.order.length) this.reshuffle();
      const row = this.rows[this.order[this.pos++]];
      if (taken.has(row.id) && this.rows.length > this.perStep) continue;
      if (this.te.enabled && this.stats.get(row.id)?.state === 'hard' && this.rows.length > this.perStep) continue;
      out.push({ row, fewShot: false });
      taken.add(row.id);
    }
    return out;
  }

  /** Record a row's rollouts at this step (`correct[i]` per sample). */
  record(rowId: string, correct: readonly boolean[], fewShot: boolean): void {
    const s = this.statsOf(rowId);
    const k = correct.filter(Boolean).length;
    if (fewShot) {
      if (k > 0) { Object.assign(s, { rollouts: 0, correct: 0, state: 'normal' as RowState, rounds: 0 }); return; }
      s.rounds++;
      if (s.rounds >= this.te.max_rounds) s.state = 'retired';
      else this.queue.push(rowId);
      return;
    }
    s.rollouts += correct.length;
    s.correct += k;
    if (s.state === 'normal' && s.correct === 0 && s.rollouts >= this.te.hard_after_rollouts) {
      s.state = 'hard';
      this.queue.push(rowId);
    }
  }

  /** The rng that picks demonstrations (its state is part of the sampler's). */
  get demoRng(): Rng { return this.rng; }

  /** Hard rows waiting for a few-shot round (TRL-style metric `hard_pool/size`). */
  get poolSize(): number { return this.queue.length; }
  /** Substitutions in the last `next()` (`hard_pool/substitutions`). */
  get substitutions(): number { return this.lastSubstitutions; }
  get substitutionsSoFar(): number { return this.substitutionsTotal; }
  rowStats(id: string): RowStats | undefined { return this.stats.get(id); }
  countByState(): Record<RowState, number> {
    const c: Record<RowState, number> = { normal: 0, hard: 0, retired: 0 };
    for (const s of this.stats.values()) c[s.state]++;
    return c;
  }

  get state(): SamplerState {
    return {
      rng: this.rng.state, order: [...this.order], pos: this.pos, epoch: this.epoch, queue: [...this.queue],
      stats: Object.fromEntries([...this.stats].map(([k, v]) => [k, { ...v }])), substitutions_total: this.substitutionsTotal,
    };
  }

  restore(s: SamplerState): void {
    this.rng.state = s.rng;
    this.order = [...s.order];
    this.pos = s.pos;
    this.epoch = s.epoch;
    this.queue = s.queue.filter((id) => this.byId.has(id));
    this.stats = new Map(Object.entries(s.stats).map(([k, v]) => [k, { ...v }]));
    this.substitutionsTotal = s.substitutions_total;
  }
}
