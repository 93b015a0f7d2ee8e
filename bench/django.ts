/**
 * Django's messages framework, run by `bench/django-cycle.py` in a Python process of its own:
 * the peer the storage cycle is measured against, in the same run. Finds a python3 that has
 * Django (BENCH_PYTHON, else python3 on PATH, else /usr/bin/python3) and, where none has it,
 * installs Debian's `python3-django`: the bench's own set-up, never the tests'.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RoundTime } from './measure.js';

/** Django's two storages the cycle runs on: its signed cookie, and the session. */
export type DjangoStorage = 'cookie' | 'session';

/** A running Django cycle script. */
export interface Django {
  /** Django's and Python's versions. */
  readonly version: { readonly django: string; readonly python: string };
  /** One cycle of `count` messages: what request 2 read, and whether it cleared the storage. */
  check(storage: DjangoStorage, count: number): Promise<{ read: string[]; cleared: boolean }>;
  /** Microseconds per cycle, the mean over `iterations` cycles run back to back. */
  round(storage: DjangoStorage, count: number, iterations: number): Promise<RoundTime>;
  close(): Promise<void>;
}

const hasDjango = (python: string) =>
  spawnSync(python, ['-c', 'import django'], { stdio: 'ignore' }).status === 0;

/** A python3 that imports Django, installing Debian's python3-django if `install` and none does. */
export function findPython({ install }: { install: boolean }): string | undefined {
  const candidates = process.env.BENCH_PYTHON
    ? [process.env.BENCH_PYTHON]
    : ['python3', '/usr/bin/python3'];
  const found = candidates.find(hasDjango);
  if (found || !install || process.env.BENCH_PYTHON) return found;
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).error) return undefined;
  console.warn('bench: no python3 here has Django: installing python3-django (apt-get)');
  const root = process.getuid?.() === 0;
  const apt = (...args: string[]) =>
    spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['apt-get', ...args], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (!apt('install', '-y', 'python3-django')) {
    apt('update');
    apt('install', '-y', 'python3-django');
  }
  return candidates.find(hasDjango);
}

/** Starts Django's cycle script under `python`, with `prefix` before it (e.g. taskset). */
export async function startDjango(python: string, prefix: readonly string[] = []): Promise<Django> {
  const script = fileURLToPath(new URL('./django-cycle.py', import.meta.url));
  const [command, ...args] = [...prefix, python, script];
  const child: ChildProcessWithoutNullStreams = spawn(command as string, args);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (command: object): Promise<Record<string, unknown>> => {
    child.stdin.write(`${JSON.stringify(command)}\n`);
    const { value, done } = await lines.next();
    if (done) throw new Error(`bench: Django's cycle script exited: ${stderr}`);
    return JSON.parse(value) as Record<string, unknown>;
  };
  const version = (await ask({ version: true })) as Django['version'];
  return {
    version,
    check: async (storage, count) =>
      (await ask({ check: storage, count })) as { read: string[]; cleared: boolean },
    round: async (storage, count, iterations) =>
      (await ask({ round: storage, count, iterations })) as unknown as RoundTime,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}
