// One build for every bundle: the extension (vscode external), the CLI, the inference worker and the webview.
// Native and heavy runtime packages stay external: they are loaded from node_modules at run time (and shipped in
// the .vsix), never inlined, so onnxruntime's .node binaries and transformers.js's lazy imports keep working.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const external = ['vscode', 'onnxruntime-node', '@huggingface/transformers', 'sharp', 'onnxruntime-web'];
// mainFields: prefer ES modules. jsonc-parser's "main" is a UMD build whose `require('./impl/format')` goes through a
// factory argument esbuild cannot follow, so the bundle failed at run time with "Cannot find module './impl/format'".
const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, external, logLevel: 'warning', mainFields: ['module', 'main'] };
const entries = [
  { ...node, entryPoints: ['src/vscode/main.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['src/infer/worker.ts'], outfile: 'dist/inferWorker.js' },
  { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: true, logLevel: 'warning',
    entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', loader: { '.css': 'css' } },
].filter((e) => existsSync(e.entryPoints[0]));

if (watch) {
  for (const e of entries) await (await esbuild.context(e)).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build(e)));
  console.log(`built ${entries.map((e) => e.outfile).join(', ')}`);
}
