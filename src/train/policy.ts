// The text side of the policy: prompts rendered with the model's own chat template and tools (core/prompt.ts),
// completions decoded and parsed by the run's codec, and each completion scored. Shared by the GRPO step, the SFT
// warm-up and the evaluation so all three see exactly the same prompts and the same notion of "correct".
import { computeReward, formatOk, isCorrect } from '../core/rewards';
import type { PromptRenderer, RenderedPrompt } from '../core/prompt';
import type { Codec, DatasetRow, ParseResult } from '../core/types';
import type { TrainConfig } from './config';
import { formatDemonstrations, pickDemonstrations } from './fewShot';
import type { Rng } from './rng';
import { SELF_EXEMPLIFY_INSTRUCTION, selfExampleBonus, splitSelfExample } from './selfExemplify';
import { requestText } from './fewShot';

export interface Scored {
  text: string;
  parsed: ParseResult;
  reward: number;
  parts: Record<string, number>;
  correct: boolean;
  formatValid: boolean;
}

export class Policy {
  /** Token ids that end a completion (end-of-turn + eos). */
  readonly stopIds: number[];

  constructor(readonly renderer: PromptRenderer, readonly codec: Codec, readonly cfg: TrainConfig,
    private readonly trainRows: readonly DatasetRow[]) {
    this.stopIds = renderer.stopIds;
  }

  private get selfExemplify(): boolean { return this.cfg.toolexpander.enabled && this.cfg.toolexpander.self_exemplify; }

  /** The system text added in front of the row's own: the self-exemplifying invitation and, for a hard row, demos. */
  systemPrefix(row: DatasetRow, demoRng?: Rng): string | undefined {
    const parts: string[] = [];
    if (this.selfExemplify) parts.push(SELF_EXEMPLIFY_INSTRUCTION);
    if (demoRng) parts.push(formatDemonstrations(pickDemonstrations(row, this.trainRows, this.cfg.toolexpander.few_shot, demoRng), this.codec));
    return parts.length ? parts.join('\n\n') : undefined;
  }

  /** The prompt of a row; with `demoRng`, ToolExpander's few-shot demonstrations are included. */
  prompt(row: DatasetRow, demoRng?: Rng): RenderedPrompt {
    return this.renderer.render(row, { systemPrefix: this.systemPrefix(row, demoRng) });
  }

  /** SFT target: the gold calls in the codec's format, then the end-of-turn token. */
  sftTarget(row: DatasetRow): number[] {
    return this.renderer.sftTargetIds(this.codec.format(row.expected));
  }

  /** Completion ids → text, without the stop token that ended it. */
  decode(ids: readonly number[]): string {
    return this.renderer.decodeCompletion(ids);
  }

  /** Parse and score one completion for a row. With self-exemplifying on, the example block is scored apart. */
  score(row: DatasetRow, text: string): Scored {
    const answer = this.selfExemplify ? splitSelfExample(text).answer : text;
    const parsed = this.codec.parse(answer);
    const r = computeReward(this.cfg.reward, { parsed, expected: row.expected });
    const parts = { ...r.parts };
    let reward = r.reward;
    if (this.selfExemplify) {
      const bonus = selfExampleBonus(text, this.codec, row.tools, requestText(row), this.cfg.toolexpander.self_exemplify_bonus);
      parts.self_example = bonus;
      reward += bonus;
    }
    return { text, parsed, reward, parts, correct: r.correct || isCorrect(parsed, row.expected), formatValid: formatOk(parsed) };
  }
}
