// Tool-call codecs, one file per model family (PAPERS.md §5), and how to pick one.
//
//   getCodec('hermes').format([{ name: 'get_weather', arguments: { city: 'Paris' } }])
//   getCodec('pythonic').parse("[get_weather(city='Paris')]")   // { calls, clean, errors }; never throws
//   codecForModelType('qwen3')                                 // hermes
import type { Codec, CodecName, ParseResult } from '../types';
import { hermes } from './hermes';
import { json } from './json';
import { llama3Json } from './llama3-json';
import { pythonic } from './pythonic';
import { xlam } from './xlam';

export { NO_CALL_REPLY } from './plain-reply';
export { pyJson } from './json-calls';
export { pyLiteral } from './pythonic';

// Every parse goes through this guard: a codec bug must cost one rollout's reward, never a training run.
function guarded(c: Codec): Codec {
  return {
    name: c.name,
    format: (calls) => c.format(calls),
    parse: (text: string): ParseResult => {
      try {
        return c.parse(typeof text === 'string' ? text : String(text));
      } catch (e) {
        return { calls: [], clean: false, errors: [`parser failure: ${e instanceof Error ? e.message : String(e)}`] };
      }
    },
  };
}

const CODECS: Record<CodecName, Codec> = {
  hermes: guarded(hermes),
  'llama3-json': guarded(llama3Json),
  pythonic: guarded(pythonic),
  xlam: guarded(xlam),
  json: guarded(json),
};

export const CODEC_NAMES = Object.keys(CODECS) as CodecName[];

export function isCodecName(name: string): name is CodecName {
  return Object.prototype.hasOwnProperty.call(CODECS, name);
}

/** The codec of that name; throws with the list of names otherwise (a configuration error, not model output). */
export function getCodec(name: string): Codec {
  if (!isCodecName(name)) throw new Error(`unknown codec "${name}"; use one of: ${CODEC_NAMES.join(', ')}`);
  return CODECS[name];
}

// Hugging Face `model_type` → the format that family's chat template writes tool calls in.
const BY_MODEL_TYPE: Record<string, CodecName> = {
  qwen2: 'hermes', qwen2_moe: 'hermes', qwen3: 'hermes', qwen3_moe: 'hermes', smollm3: 'hermes',
  llama: 'llama3-json', mllama: 'llama3-json',
};

/** The codec for a model's `config.json` `model_type`; an unknown type is an error naming the fix. */
export function codecForModelType(modelType: string): Codec {
  const name = BY_MODEL_TYPE[modelType];
  if (!name) throw new Error(`no tool-call format known for model_type "${modelType}"; set the codec explicitly (one of: ${CODEC_NAMES.join(', ')})`);
  return CODECS[name];
}
