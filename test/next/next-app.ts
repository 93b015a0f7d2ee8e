import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onFreePort } from '../fixtures/free-port.js';

/** The example Next.js app's folder. */
export const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/next', import.meta.url));

/** The repository's `next` command. */
export const NEXT_BIN = fileURLToPath(new URL('../../node_modules/.bin/next', import.meta.url));

/** The environment the example runs in: quiet, with a production secret. */
export function nextEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: '1',
    MESSAGES_SECRET: 'the-next-example-tests-secret-0123456789abcdef',
  };
}

/** A running `next start` or `next dev` of the example. */
export interface RunningNext {
  /** Its origin, http://127.0.0.1:port. */
  readonly url: string;
  /** Resolves with the first line of its output from now on that matches `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Everything it printed so far. */
  output(): string;
  /** Stops it and every process it started. */
  stop(): Promise<void>;
}

/** Starts `next <mode>` for the example on a free port; resolves once it says it is ready. */
export function startNext(
  mode: 'start' | 'dev',
  env: NodeJS.ProcessEnv = {},
): Promise<RunningNext> {
  return onFreePort((port) => startNextOn(port, mode, env));
}

/** Starts `next <mode>` on `port`; rejects with its output (and stops it) unless it gets ready. */
async function startNextOn(
  port: number,
  mode: 'start' | 'dev',
  env: NodeJS.ProcessEnv,
): Promise<RunningNext> {
  const child = spawn(NEXT_BIN, [mode, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: EXAMPLE_DIR,
    env: { ...nextEnvironment(), ...env },
    // Its own process group: `next dev` starts workers, stopped with it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const waiters = new Set<(line: string) => void>();
  const output: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      for (const waiter of [...waiters]) waiter(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const waitForLog = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(`next ${mode}: no line matched ${pattern}; its output:\n${output.join('\n')}`),
        );
      }, timeoutMs);
      const waiter = (line: string) => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(line);
      };
      waiters.add(waiter);
      void exited.then(() => {
        if (!waiters.has(waiter)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        reject(new Error(`next ${mode} exited; its output:\n${output.join('\n')}`));
      });
    });

  const stop = () => stopGroup(child, exited);
  try {
    await waitForLog(/Ready in/);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    waitForLog,
    output: () => output.join('\n'),
    stop,
  };
}

async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  await exited;
}
