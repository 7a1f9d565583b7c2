// Loads the tuned model when a `.tooltest` file comes into an editor, so the first ghost text there does not wait
// for the worker to start and the model to load (~0.3 s for the demo model, measured in the e2e suite; seconds for a
// 0.5B export). Opening a `.tooltest` file is the signal: nothing loads for users who never use ghost text. The load
// goes through the watched service (src/infer/watched.ts), which logs the extension host's event loop meanwhile.
// No vscode import (unit-tested).
import { basename } from 'node:path';
import { ghostTextVariant } from '../../infer/run-models';
import type { InferenceService } from '../../infer/service';
import { isToolTestDocument } from './completion-plan';

export interface PreloadDeps {
  service: Pick<InferenceService, 'load'>;
  /** The newest exported model (a run's final/), or undefined before the first run ends. */
  modelDir: () => Promise<string | undefined>;
  /** `tooltune.inline.loadModelOnOpen` and Workspace Trust together: false = never load ahead. */
  enabled: () => boolean;
  log: (message: string) => void;
}

export class ModelPreloader {
  constructor(private readonly deps: PreloadDeps) {}

  /** Call with the active editor's document (or undefined). Resolves when the model is loaded, or at once when
   *  nothing needs loading; never rejects (a failure is logged: the first suggestion then reports it again). */
  async onActiveDocument(doc: { languageId: string; uri: { path: string } } | undefined): Promise<'loaded' | 'cached' | 'skipped' | 'failed'> {
    if (!doc || !isToolTestDocument(doc) || !this.deps.enabled()) return 'skipped';
    const modelDir = await this.deps.modelDir();
    if (!modelDir) return 'skipped';
    try {
      // The worker keeps one model: asking again for the loaded one costs a stat, so no bookkeeping here.
      const variant = ghostTextVariant(modelDir);
      const loadMs = await this.deps.service.load({ modelDir, variant });
      if (loadMs === 0) return 'cached';
      this.deps.log(`[inference] ghost text: loaded ${modelDir} (${variant}) in ${loadMs.toFixed(0)} ms when ${basename(doc.uri.path)} was opened`);
      return 'loaded';
    } catch (e) {
      this.deps.log(`[inference] could not load ${modelDir} ahead of ghost text: ${e instanceof Error ? e.message : String(e)}`);
      return 'failed';
    }
  }
}
