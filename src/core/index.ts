// The pure core of ToolTune: everything that scores model output against tool schemas. Import from here.
//
//   tools      loadTools / parseTools / normaliseTools            tools.ts
//   datasets   loadDataset / parseDatasetText / rowCategory         dataset.ts (importers.ts, jsonl-reader.ts)
//   codecs     getCodec / codecForModelType / CODEC_NAMES           codecs/
//   matching   matchCalls / valuesEqual / bfclNormalise             match.ts
//   rewards    computeReward / slmPaperReward / toolrlReward / binaryReward / isCorrect   rewards.ts
//   advantages computeAdvantages                                    advantages.ts
//   evaluation evaluate / judgeRow / summarise / passAtK            evaluate.ts
//   calls      validateCall / validateArguments                     validate-call.ts
//   diagnostics formatDiagnostic / Locator                          source-location.ts
//   schemas    compileSchema / describeAjvErrors / mapBfclTypes     schema.ts
export * from './types';
export { loadTools, parseTools, parseToolsBytes, normaliseTools, findTool, parameterNames, TOOL_NAME_PATTERN, type ToolsLoadResult } from './tools';
export { loadDataset, parseDatasetText, rowCategory, requestText, RowValidator, type DatasetOptions, type DatasetResult } from './dataset';
export { importRow, type RowFormat } from './importers';
export { readJsonlLines, DEFAULT_MAX_LINE_BYTES, type JsonlItem } from './jsonl-reader';
export { getCodec, codecForModelType, isCodecName, CODEC_NAMES, NO_CALL_REPLY, pyJson, pyLiteral } from './codecs/index';
export { matchCalls, compareArguments, valuesEqual, bfclNormalise, argumentShare, describeMismatch, namesMatched, type CallMatching, type ArgComparison } from './match';
export { computeReward, slmPaperReward, toolrlReward, binaryReward, isCorrect, formatOk, REWARD_NAMES, SLM_PAPER_WEIGHTS, TOOLRL_WEIGHTS, type RewardInput, type RewardOptions, type ScoredReward, type SlmPaperWeights, type ToolRlWeights } from './rewards';
export { computeAdvantages, SCALE_REWARDS, ADVANTAGE_EPSILON, type Advantages, type ScaleRewards } from './advantages';
export { evaluate, judgeRow, summarise, passAtK, type EvalMetrics, type EvalReport, type RowVerdict } from './evaluate';
export { validateCall, validateArguments, type CallCheck } from './validate-call';
export { formatDiagnostic, parseJsonDocument, offsetToPosition, toPointer, Locator } from './source-location';
export { compileSchema, describeAjvErrors, mapBfclTypes, type CompiledSchema } from './schema';
export { xlamToolsToSchema } from './importers';
