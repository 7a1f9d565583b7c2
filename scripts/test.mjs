// `npm test`: every suite, then one closing line `N passed, N failed, N skipped` summed over all of them.
//   node scripts/test.mjs [unit|engine|integration|e2e ...]   (default: unit engine integration e2e)
// TypeScript suites run on Node's own test runner through tsx; the engine suite runs pytest on the Python that has
// torch (TOOLTUNE_PYTHON, else /usr/bin/python3, where Debian's python3-torch lives). The e2e suite needs the real
// VS Code set up by scripts/e2e-setup.sh; without it the suite is reported as skipped, visibly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = wanted.length ? wanted : ['unit', 'engine', 'integration', 'e2e'];
const totals = { passed: 0, failed: 0, skipped: 0 };

function findTests(dir, suffix) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out;
}

function runNodeSuite(name, files, extraEnv = {}) {
  if (!files.length) { console.log(`[${name}] no test files`); return; }
  console.log(`\n=== ${name}: ${files.length} files ===`);
  const r = spawnSync(process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
    { cwd: root, encoding: 'utf8', env: { ...process.env, ...extraEnv }, maxBuffer: 1 << 28 });
  process.stdout.write(r.stdout); process.stderr.write(r.stderr);
  const num = (k) => Number((r.stdout.match(new RegExp(`^ℹ ${k} (\\d+)`, 'm')) || [])[1] || 0);
  const passed = num('pass'), failed = num('fail'), skipped = num('skipped') + num('todo');
  // A crash before the runner's summary still counts as a failure.
  const crashed = r.status !== 0 && failed === 0 ? 1 : 0;
  tally(name, passed, failed + crashed, skipped);
}

function pythonWithTorch() {
  for (const py of [process.env.TOOLTUNE_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean)) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

function runEngine() {
  console.log('\n=== engine (pytest) ===');
  const py = pythonWithTorch();
  if (!py) { console.log('[engine] no Python with torch found: install python3-torch (see README)'); tally('engine', 0, 1, 0); return; }
  const r = spawnSync(py, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'],
    { cwd: join(root, 'engine'), encoding: 'utf8', maxBuffer: 1 << 28 });
  process.stdout.write(r.stdout); process.stderr.write(r.stderr);
  const last = r.stdout.trim().split('\n').pop() || '';
  const num = (k) => Number((last.match(new RegExp(`(\\d+) ${k}`)) || [])[1] || 0);
  const failed = num('failed') + num('error') + num('errors');
  tally('engine', num('passed'), failed || (r.status !== 0 && r.status !== 5 ? 1 : 0), num('skipped'));
}

function tally(name, p, f, s) {
  console.log(`[${name}] ${p} passed, ${f} failed, ${s} skipped`);
  totals.passed += p; totals.failed += f; totals.skipped += s;
}

for (const s of suites) {
  if (s === 'unit') runNodeSuite('unit', findTests(join(root, 'test/unit'), '.test.ts'));
  else if (s === 'integration') runNodeSuite('integration', findTests(join(root, 'test/integration'), '.test.ts'));
  else if (s === 'engine') runEngine();
  else if (s === 'e2e') {
    const ready = existsSync(join(root, '.vscode-test/code-server/node_modules/code-server/out/node/entry.js'));
    if (!ready) { console.log('\n[e2e] skipped: real VS Code not set up (run: bash scripts/e2e-setup.sh)'); tally('e2e', 0, 0, 1); }
    else runNodeSuite('e2e', findTests(join(root, 'test/e2e'), '.e2e.test.ts'));
  } else { console.error(`unknown suite ${s}`); process.exit(2); }
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed ? 1 : 0);
