import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

// The machine's cores, not availableParallelism(): that counts only the cores this process may
// use, one once it is pinned.
const CORES = cpus().length;

/** The core the measured servers (and the redis-server, and Django's script) run on. */
export const SERVER_CORE = '0';
/** The cores left for this process, the load generator. */
export const LOAD_CORES = `1-${Math.max(1, CORES - 1)}`;

/** Whether `taskset` and a second core are there, so that processes can be pinned. */
export function canPin(): boolean {
  return CORES >= 2 && !spawnSync('taskset', ['--version']).error;
}

/** Moves the process `pid` (all its threads) to the cores `cpuList`, e.g. '0' or '1-3'. */
export function pin(pid: number, cpuList: string): void {
  const done = spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpuList, String(pid)]);
  if (done.status !== 0) throw new Error(`bench: taskset failed: ${done.stderr.toString()}`);
}

/** `command` run on the cores `cpuList` when pinning is possible, else as it is. */
export function pinned(command: readonly string[], cpuList: string, pinning: boolean): string[] {
  return pinning ? ['taskset', '--cpu-list', cpuList, ...command] : [...command];
}
