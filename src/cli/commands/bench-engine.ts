// `tooltune bench engine [--reps 3] [--json] [...]` (npm run bench:engine): the engine's own benchmark,
// `python -m tooltune_engine.bench`, run on the Python that has torch and relayed as it prints. Every option after
// `engine` goes to the Python side unchanged (`--help` lists them): train tokens/s and its share of the measured
// matmul rate, rollout tokens/s for 8 prompts x 8 samples with the shared-prefill speed-up, and peak memory of a
// train step against a naive full-logits step. The Python is TOOLTUNE_PYTHON, else /usr/bin/python3 (Debian's
// python3-torch), else python3 — the first that can import torch.
import { spawn, spawnSync } from 'node:child_process';
import { findEngineDir } from '../../engine/client';

export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.TOOLTUNE_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => Boolean(p));
}

/** The first candidate that imports torch, or null. Argument arrays only: nothing goes through a shell. */
export function findTorchPython(candidates: string[]): string | null {
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0) return py;
  }
  return null;
}

export default async function run(argv: string[]): Promise<number> {
  const engineDir = findEngineDir(__dirname);
  if (!engineDir) {
    console.error('tooltune bench engine: cannot find the engine folder (engine/tooltune_engine); run from the ToolTune repository or reinstall');
    return 1;
  }
  const candidates = pythonCandidates();
  const python = findTorchPython(candidates);
  if (!python) {
    console.error(`tooltune bench engine: none of ${candidates.join(', ')} can import torch.\n` +
      'Fix: install PyTorch for one of them (Debian/Ubuntu: apt install python3-torch) or set TOOLTUNE_PYTHON to a Python that has it (`tooltune doctor` explains what it finds).');
    return 1;
  }
  const env = { ...process.env, PYTHONPATH: [engineDir, process.env.PYTHONPATH].filter(Boolean).join(':') };
  return new Promise<number>((resolve) => {
    const child = spawn(python, ['-m', 'tooltune_engine.bench', ...argv], { cwd: engineDir, env, stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals) => () => { child.kill(sig); };
    const onInt = forward('SIGINT'), onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (e) => {
      console.error(`tooltune bench engine: could not start ${python}: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
