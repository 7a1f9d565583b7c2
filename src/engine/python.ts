// Finding a Python that can run the engine, and saying exactly what to do when none can (STYLE.md: every failure
// explains itself and names the fix). Only processes with argument arrays are spawned, never shell strings.
import { spawn } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import process from 'node:process';

export interface PythonCandidate {
  /** Executable path or a name looked up on PATH. */
  command: string;
  /** Where the candidate came from, for messages ("setting tooltune.pythonPath", "TOOLTUNE_PYTHON", "PATH"). */
  source: string;
}

export interface PreflightProblem { message: string; fix: string }

export interface PreflightResult {
  ok: boolean;
  /** The interpreter picked (the first that imports torch), or null. */
  python: string | null;
  pythonVersion: string | null;
  torchVersion: string | null;
  /** "cuda", "mps" or "cpu". */
  device: string | null;
  deviceName: string | null;
  gpuMemoryBytes: number | null;
  freeDiskBytes: number | null;
  /** Every candidate that was tried and why it was rejected, plus warnings about the one picked. */
  problems: PreflightProblem[];
}

export interface PreflightOptions {
  /** Folder whose free disk space is reported (checkpoints go there). Default: the current directory. */
  diskPath?: string;
  /** Seconds to wait for one interpreter (importing torch can take several seconds on a cold disk). */
  timeoutSeconds?: number;
  env?: NodeJS.ProcessEnv;
}

/** Candidates in the order they are tried: the explicit setting, TOOLTUNE_PYTHON, python3 on PATH, Debian's
 *  /usr/bin/python3 (where `apt install python3-torch` puts torch, often shadowed by pyenv/conda), then python. */
export function defaultCandidates(explicit?: string, env: NodeJS.ProcessEnv = process.env): PythonCandidate[] {
  const out: PythonCandidate[] = [];
  const add = (command: string | undefined, source: string) => {
    if (command && command.trim() && !out.some((c) => c.command === command.trim())) out.push({ command: command.trim(), source });
  };
  add(explicit, 'setting tooltune.pythonPath');
  add(env.TOOLTUNE_PYTHON, 'environment variable TOOLTUNE_PYTHON');
  add('python3', 'PATH');
  if (process.platform !== 'win32') add('/usr/bin/python3', 'system Python');
  add('python', 'PATH');
  return out;
}

/** The order the extension tries interpreters in: the setting, then the Python extension's active interpreter
 *  (when there is one and it is not already listed), then the defaults. */
export function withPythonExtension(list: readonly PythonCandidate[], fromExtension: string | undefined, hasSetting: boolean): PythonCandidate[] {
  const out = [...list];
  if (fromExtension && !out.some((c) => c.command === fromExtension)) {
    out.splice(hasSetting ? 1 : 0, 0, { command: fromExtension, source: 'Python extension (active interpreter)' });
  }
  return out;
}

// Printed as one JSON line by the candidate; kept tiny so it runs on any Python 3.
const PROBE = [
  'import json, sys',
  'r = {"python": sys.version.split()[0], "executable": sys.executable}',
  'try:',
  '    import torch',
  'except Exception as e:',
  '    r["error"] = type(e).__name__ + ": " + str(e)',
  '    print(json.dumps(r)); sys.exit(0)',
  'r["torch"] = torch.__version__',
  'r["device"] = "cpu"; r["device_name"] = None; r["gpu_memory"] = None',
  'if torch.cuda.is_available():',
  '    p = torch.cuda.get_device_properties(0)',
  '    r["device"] = "cuda"; r["device_name"] = p.name; r["gpu_memory"] = p.total_memory',
  'elif getattr(getattr(torch, "backends", None), "mps", None) is not None and torch.backends.mps.is_available():',
  '    r["device"] = "mps"; r["device_name"] = "Apple GPU (MPS)"',
  'else:',
  '    import platform',
  '    r["device_name"] = platform.processor() or platform.machine()',
  '    r["threads"] = torch.get_num_threads()',
  '    try:',
  '        r["blas"] = torch.__config__.show()',
  '    except Exception:',
  '        r["blas"] = ""',
  'print(json.dumps(r))',
].join('\n');

interface ProbeResult {
  python?: string; executable?: string; error?: string; torch?: string; device?: string;
  device_name?: string | null; gpu_memory?: number | null; threads?: number; cpu_gflops?: number;
}

interface RunResult { code: number | null; stdout: string; stderr: string; spawnError?: NodeJS.ErrnoException; timedOut: boolean }

function runProbe(command: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = ''; let stderr = ''; let timedOut = false; let settled = false;
    const finish = (r: RunResult) => { if (!settled) { settled = true; clearTimeout(timer); resolve(r); } };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, ['-c', PROBE], { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      resolve({ code: null, stdout, stderr, spawnError: e as NodeJS.ErrnoException, timedOut: false });
      return;
    }
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', (e) => finish({ code: null, stdout, stderr, spawnError: e, timedOut }));
    child.on('close', (code) => finish({ code, stdout, stderr, timedOut }));
  });
}

/** The command that installs torch for this interpreter, by platform. We never run sudo ourselves. */
export function torchInstallFix(command: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'linux') {
    // Only the venv route is written as a command (the extension offers backticked commands to type into a
    // terminal): nothing it offers needs sudo. The system package is named for those who administer the machine.
    return `Create a virtual environment with torch: \`${command} -m venv ~/.tooltune-venv && ~/.tooltune-venv/bin/pip install torch\` ` +
      'and set tooltune.pythonPath (or TOOLTUNE_PYTHON) to ~/.tooltune-venv/bin/python. Without PyPI, Debian/Ubuntu ' +
      'packages python3-torch and libopenblas0-pthread (installed by an administrator) give /usr/bin/python3 torch.';
  }
  const venvPython = platform === 'win32' ? '%USERPROFILE%\\.tooltune-venv\\Scripts\\python.exe' : '~/.tooltune-venv/bin/python';
  return `Create a virtual environment with torch: \`${command} -m venv ~/.tooltune-venv\`, then ` +
    `\`${venvPython} -m pip install torch\`, and set tooltune.pythonPath (or TOOLTUNE_PYTHON) to ${venvPython}.`;
}

function describeFailure(c: PythonCandidate, r: RunResult): PreflightProblem {
  const who = `${c.command} (${c.source})`;
  if (r.spawnError?.code === 'ENOENT') {
    return { message: `${who}: not found`, fix: c.source.startsWith('setting') || c.source.startsWith('environment')
      ? `Point ${c.source.replace(/^setting |^environment variable /, '')} at an existing Python executable, or clear it.`
      : 'Install Python 3 (https://www.python.org/downloads/) or set tooltune.pythonPath.' };
  }
  if (r.spawnError) return { message: `${who}: could not start (${r.spawnError.message})`, fix: 'Check that the path is an executable Python 3 interpreter.' };
  if (r.timedOut) return { message: `${who}: did not answer within the time limit while importing torch`, fix: 'Run `' + c.command + ' -c "import torch"` in a terminal to see what hangs.' };
  const probe = parseProbe(r.stdout);
  if (probe?.error) {
    return { message: `${who}: Python ${probe.python ?? '?'} cannot import torch (${probe.error})`, fix: torchInstallFix(c.command) };
  }
  const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
  return { message: `${who}: exited with code ${r.code}${tail ? `: ${tail}` : ''}`, fix: 'Check that this is a Python 3 interpreter; ToolTune needs Python ≥ 3.9 with torch.' };
}

function parseProbe(stdout: string): ProbeResult | null {
  const line = stdout.trim().split('\n').pop();
  if (!line) return null;
  try { return JSON.parse(line) as ProbeResult; } catch { return null; }
}

async function freeDisk(path: string): Promise<number | null> {
  try {
    const s = await statfs(path);
    return Number(s.bavail) * Number(s.bsize);
  } catch { return null; }
}

/** Try each candidate in order and pick the first that can `import torch`. Never throws. */
export async function preflight(candidates: PythonCandidate[], opts: PreflightOptions = {}): Promise<PreflightResult> {
  const problems: PreflightProblem[] = [];
  const env = opts.env ?? process.env;
  const timeoutMs = (opts.timeoutSeconds ?? 60) * 1000;
  const freeDiskBytes = await freeDisk(opts.diskPath ?? process.cwd());
  const base = { pythonVersion: null, torchVersion: null, device: null, deviceName: null, gpuMemoryBytes: null, freeDiskBytes };
  if (!candidates.length) {
    problems.push({ message: 'no Python interpreter to try', fix: 'Set tooltune.pythonPath (or TOOLTUNE_PYTHON) to a Python with torch.' });
    return { ok: false, python: null, ...base, problems };
  }
  for (const c of candidates) {
    const r = await runProbe(c.command, timeoutMs, env);
    const probe = r.code === 0 ? parseProbe(r.stdout) : null;
    if (!probe || probe.error || !probe.torch) { problems.push(describeFailure(c, r)); continue; }
    const result: PreflightResult = {
      ok: true, python: c.command, pythonVersion: probe.python ?? null, torchVersion: probe.torch,
      device: probe.device ?? 'cpu', deviceName: probe.device_name ?? null, gpuMemoryBytes: probe.gpu_memory ?? null,
      freeDiskBytes, problems,
    };
    // Measured here (ARCHITECTURE.md): without an optimised BLAS (Debian's libopenblas0-pthread) a CPU matmul runs
    // at ~6 GFLOP/s instead of ~200; torch's build info says "generic" either way, so we time one.
    if (result.device === 'cpu' && probe.cpu_gflops !== undefined && probe.cpu_gflops < 20) {
      problems.push({ message: `${c.command}: CPU matmul runs at ${probe.cpu_gflops.toFixed(1)} GFLOP/s — torch without an optimised BLAS (training will be very slow)`,
        fix: 'A torch from PyPI in a virtual environment brings its own optimised BLAS; for Debian\'s python3-torch an administrator installs the package libopenblas0-pthread.' });
    }
    if (freeDiskBytes !== null && freeDiskBytes < 2 * 1024 ** 3) {
      problems.push({ message: `only ${(freeDiskBytes / 1024 ** 3).toFixed(1)} GiB free disk space (checkpoints need room)`,
        fix: 'Free disk space or point --out at a larger disk.' });
    }
    return result;
  }
  return { ok: false, python: null, ...base, problems };
}

/** Human-readable report, shared by `tooltune doctor` and the extension's output channel. */
export function formatPreflight(r: PreflightResult): string {
  const gib = (b: number | null) => (b === null ? 'unknown' : `${(b / 1024 ** 3).toFixed(1)} GiB`);
  const lines: string[] = [];
  if (r.ok) {
    lines.push(`Python:     ${r.python} (Python ${r.pythonVersion ?? '?'})`);
    lines.push(`torch:      ${r.torchVersion}`);
    lines.push(`device:     ${r.device}${r.deviceName ? ` — ${r.deviceName}` : ''}`);
    if (r.gpuMemoryBytes !== null) lines.push(`GPU memory: ${gib(r.gpuMemoryBytes)}`);
  } else {
    lines.push('No Python with torch was found.');
  }
  lines.push(`free disk:  ${gib(r.freeDiskBytes)}`);
  for (const p of r.problems) lines.push(`- ${p.message}\n  fix: ${p.fix}`);
  return lines.join('\n');
}
