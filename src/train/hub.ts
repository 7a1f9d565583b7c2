// Fetching a model by Hugging Face id into the standard HF cache (`~/.cache/huggingface/hub`, or $HF_HUB_CACHE /
// $HF_HOME), with @huggingface/hub — the files a training run needs only: config, tokenizer, safetensors weights
// (never *.bin / *.pt pickles), one file at a time with progress. A second run finds them in the cache.
import { dirname } from 'node:path';
import { downloadFileToCacheDir, listFiles } from '@huggingface/hub';

/** `org/name` (optionally `org/name@revision`). */
export function looksLikeHubId(spec: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+(@[\w.\-/]+)?$/.test(spec);
}

const WANTED = /^(config\.json|generation_config\.json|tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json|chat_template\.jinja|model\.safetensors|model\.safetensors\.index\.json|model-\d+-of-\d+\.safetensors)$/;

export interface HubOptions {
  onProgress?: (task: string, done: number, total: number) => void;
  cacheDir?: string;
  hubUrl?: string;
  /** For tests and proxies. */
  fetch?: typeof fetch;
  accessToken?: string;
}

/** Download the files a run needs; returns the snapshot folder. */
export async function downloadFromHub(spec: string, opts: HubOptions = {}): Promise<string> {
  const [repo, revision] = spec.split('@') as [string, string | undefined];
  const common = {
    repo, ...(revision ? { revision } : {}), ...(opts.hubUrl ? { hubUrl: opts.hubUrl } : {}), ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...((opts.accessToken ?? process.env.HF_TOKEN) ? { accessToken: opts.accessToken ?? process.env.HF_TOKEN } : {}),
  };
  const files: string[] = [];
  try {
    for await (const f of listFiles(common)) if (f.type === 'file' && WANTED.test(f.path)) files.push(f.path);
  } catch (e) {
    throw new Error(`cannot list the files of ${repo} on the Hugging Face hub (${(e as Error).message}). ` +
      'Check the id and your network, set HF_TOKEN for gated models, or download the model yourself and pass its folder to --model.');
  }
  if (!files.includes('config.json')) throw new Error(`${repo}: no config.json on the hub; is it a model repository?`);
  if (!files.some((f) => f.endsWith('.safetensors'))) {
    throw new Error(`${repo}: no safetensors weights; ToolTune never loads pickled *.bin files. Pick a repository with model.safetensors.`);
  }
  let folder = '';
  // @huggingface/hub announces each download with console.debug, i.e. on stdout, which would corrupt the
  // `--events jsonl` stream; progress is reported through onProgress instead.
  const debug = console.debug;
  console.debug = () => undefined;
  try {
    for (let i = 0; i < files.length; i++) {
      opts.onProgress?.(`download ${repo}`, i, files.length);
      const p = await downloadFileToCacheDir({ ...common, path: files[i], ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) });
      if (files[i] === 'config.json') folder = dirname(p);
    }
  } finally { console.debug = debug; }
  opts.onProgress?.(`download ${repo}`, files.length, files.length);
  return folder;
}
