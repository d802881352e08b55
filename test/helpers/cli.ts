import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export const cliPath = join(packageRoot, 'bin', 'urzedomat.js');

function assertBuilt(): void {
  if (!existsSync(join(packageRoot, 'dist', 'src', 'cli.js'))) {
    throw new Error('dist/ is missing: run the tests with `npm test` (it builds first) or run `npm run build`');
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `urzedomat ARGS` to completion with no standard input, as CI and systemd do; or with `input` on it, in
 * `cwd`, or another copy of the program (`cli`).
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000, o: { cwd?: string; input?: string; cli?: string } = {}): Promise<CliResult> {
  if (o.cli === undefined) assertBuilt();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [o.cli ?? cliPath, ...args], {
      ...(o.cwd === undefined ? {} : { cwd: o.cwd }),
      env: { ...process.env, URZEDOMAT_CONFIG: '', JOURNAL_STREAM: '', ...env },
      stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (o.input !== undefined) child.stdin!.end(o.input);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`urzedomat ${args.join(' ')} did not finish in ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Starts `urzedomat ARGS` and resolves once `ready(stdout so far)` holds. */
function spawnUntil(args: string[], env: NodeJS.ProcessEnv, ready: (stdout: string) => boolean, timeoutMs: number): Promise<{ child: ChildProcess; exited: Promise<CliResult>; stdout(): string }> {
  assertBuilt();
  const started = performance.now();
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, URZEDOMAT_CONFIG: '', JOURNAL_STREAM: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started })));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready in ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`exited before ready; stdout: ${stdout}; stderr: ${stderr}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      let ok = false;
      try {
        ok = ready(stdout);
      } catch (e) {
        child.kill('SIGKILL');
        reject(e as Error);
        return;
      }
      if (ok) {
        clearTimeout(timer);
        resolve({ child, exited, stdout: () => stdout });
      }
    });
  });
}

/** Starts `urzedomat ARGS` and resolves once a stdout log line (JSON) satisfies `ready`. */
export async function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: (line: Record<string, unknown>) => boolean,
  timeoutMs = 20_000,
): Promise<{ child: ChildProcess; lines: Record<string, unknown>[]; exited: Promise<CliResult> }> {
  const lines: Record<string, unknown>[] = [];
  const r = await spawnUntil(args, env, (stdout) => {
    const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '');
    for (const text of complete.slice(lines.length)) {
      try {
        lines.push(JSON.parse(text) as Record<string, unknown>);
      } catch {
        throw new Error(`stdout line is not JSON: ${text}`);
      }
    }
    return lines.some(ready);
  }, timeoutMs);
  return { child: r.child, lines, exited: r.exited };
}

/** Starts `urzedomat ARGS` (human-readable output) and resolves once stdout matches `ready`. */
export function startCliText(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 20_000): Promise<{ child: ChildProcess; exited: Promise<CliResult>; stdout(): string }> {
  return spawnUntil(args, env, (stdout) => ready.test(stdout), timeoutMs);
}

/** The 8-digit code of the text message the demo printed for `phone`, once it is printed. */
export async function demoCode(stdout: () => string, phone: string): Promise<string> {
  const re = new RegExp(`SMS to ${phone}: .*?(\\d{8})`);
  for (let i = 0; i < 200; i++) {
    const m = re.exec(stdout());
    if (m) return m[1]!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no text message to ${phone} in the demo's output: ${stdout()}`);
}
