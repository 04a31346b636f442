import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A child process the e2e harness started; output goes to `<logDir>/<name>.log`. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** True once the process has exited. */
  exited(): boolean;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly done: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (a crash); resolves when the process is gone. */
  kill(): Promise<void>;
}

/** Every process still running, so a test runner that tears the worker down does not leave them behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `command` with its output in a log file; the caller must `stop()` it. */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { logDir: string; env?: NodeJS.ProcessEnv; cwd?: string },
): ManagedProcess {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`\n==== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let hasExited = false;
  running.add(child);
  const done = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      hasExited = true;
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
    child.on('error', (err) => {
      hasExited = true;
      log.write(`spawn error: ${err.message}\n`);
      resolve(`spawn error: ${err.message}`);
    });
  });
  void done.then(() => setTimeout(() => log.end(), 50));
  const signalAndWait = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (hasExited) return;
    child.kill(signal);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([done, timer])) === 'timeout' && !hasExited) {
      child.kill('SIGKILL');
      await done;
    }
  };
  return {
    name,
    child,
    logFile,
    exited: () => hasExited,
    done,
    stop: (graceMs = 10_000) => signalAndWait('SIGTERM', graceMs),
    kill: () => signalAndWait('SIGKILL', 5_000),
  };
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than null/false, or fails after `timeoutMs`
 * with `what` and the last error. Stops early when `process` (if given) exits.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | false> | T | null | false,
  options: { timeoutMs: number; intervalMs?: number; process?: ManagedProcess },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== null && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (options.process?.exited() === true) {
      throw new Error(`gave up waiting for ${what}: ${options.process.name} exited (see ${options.process.logFile})`);
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? last.message : last === null ? 'condition never held' : String(last);
      throw new Error(`gave up waiting for ${what} after ${String(options.timeoutMs)} ms: ${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}
