// Group-relative advantages for GRPO, with TRL's `scale_rewards` semantics (PAPERS.md §4):
//   advantage = reward − mean(reward of its group), then divided by
//     group: the group's std + ε  |  batch: the whole batch's std + ε  |  none: nothing (Dr. GRPO).
// Standard deviations are the unbiased (n − 1) estimate, as torch.std computes them in TRL; ε = 1e-4 as in TRL.
// Groups whose rewards are all equal carry no learning signal; they are counted as `frac_reward_zero_std`.
//
//   computeAdvantages([1, 0, 0, 1, 0.5, 0.5], 2, 'group')
//   → { advantages: [0.707…, −0.707…, −0.707…, 0.707…, 0, 0], fracRewardZeroStd: 1/3, … }
export type ScaleRewards = 'group' | 'batch' | 'none';
export const SCALE_REWARDS: readonly ScaleRewards[] = ['group', 'batch', 'none'];

export interface Advantages {
  advantages: number[];
  groupMean: number[];
  groupStd: number[];
  /** share of groups whose rewards have zero spread (TRL's `frac_reward_zero_std`) */
  fracRewardZeroStd: number;
  /** indices of the groups with zero spread (the trainer can skip them: their advantages are exactly 0) */
  zeroStdGroups: number[];
  /** mean and std over the whole batch (`reward`, `reward_std`) */
  mean: number;
  std: number;
}

export const ADVANTAGE_EPSILON = 1e-4;

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) return { mean: 0, std: 0 };
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / n;
  if (n === 1) return { mean, std: 0 };
  let v = 0;
  for (const x of xs) v += (x - mean) * (x - mean);
  return { mean, std: Math.sqrt(v / (n - 1)) };
}

/** `rewards` is laid out group after group (G consecutive samples per prompt). */
export function computeAdvantages(rewards: readonly number[], groupSize: number, scale: ScaleRewards = 'group', epsilon = ADVANTAGE_EPSILON): Advantages {
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new Error(`groupSize must be a positive integer, got ${groupSize}`);
  if (rewards.length % groupSize !== 0) throw new Error(`${rewards.length} rewards do not divide into groups of ${groupSize}`);
  if (!SCALE_REWARDS.includes(scale)) throw new Error(`scale_rewards must be one of ${SCALE_REWARDS.join(', ')}, got "${String(scale)}"`);
  for (const r of rewards) if (!Number.isFinite(r)) throw new Error(`reward ${r} is not a finite number`);
  const nGroups = rewards.length / groupSize;
  const batch = meanStd(rewards);
  const groupMean: number[] = [];
  const groupStd: number[] = [];
  const zeroStdGroups: number[] = [];
  const advantages = new Array<number>(rewards.length);
  for (let g = 0; g < nGroups; g++) {
    const xs = rewards.slice(g * groupSize, (g + 1) * groupSize);
    const { mean, std } = meanStd(xs);
    groupMean.push(mean);
    groupStd.push(std);
    // torch.isclose(std, 0) with default tolerances, as TRL tests it.
    if (Math.abs(std) <= 1e-8) zeroStdGroups.push(g);
    const div = scale === 'group' ? std + epsilon : scale === 'batch' ? batch.std + epsilon : 1;
    for (let i = 0; i < groupSize; i++) advantages[g * groupSize + i] = (xs[i]! - mean) / div;
  }
  return {
    advantages, groupMean, groupStd, zeroStdGroups,
    fracRewardZeroStd: nGroups ? zeroStdGroups.length / nGroups : 0,
    mean: batch.mean, std: batch.std,
  };
}
