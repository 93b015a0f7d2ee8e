/** The time one round took per call: wall time, and this process's CPU time. */
export interface RoundTime {
  readonly microseconds: number;
  /** Unmoved by time spent waiting for a core that other processes hold. */
  readonly cpuMicroseconds: number;
}

/** Microseconds per call of `work`, the mean over `iterations` calls run back to back. */
export async function measureRound(work: () => unknown, iterations: number): Promise<RoundTime> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < iterations; i += 1) await work();
  const wall = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  return {
    microseconds: (wall * 1000) / iterations,
    cpuMicroseconds: (user + system) / iterations,
  };
}

/**
 * Microseconds per call of `work`: the median, over `rounds`, of the mean over `iterations`
 * calls run back to back. Timing whole rounds keeps the harness's own cost (a clock read and an
 * await per call in tinybench-style harnesses) out of figures that are only a few microseconds.
 */
export async function measure(
  work: () => unknown,
  { rounds = 15, iterations = 20_000 }: { rounds?: number; iterations?: number } = {},
): Promise<number> {
  await measureRound(work, iterations); // warm up: let the JIT settle
  const means: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    means.push((await measureRound(work, iterations)).microseconds);
  }
  return median(means);
}

/** The median of `values` (the upper one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** A positive integer from the environment variable `name` (a bench's rounds, seconds), or `fallback`. */
export function positiveFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`bench: ${name} must be a positive integer, got ${raw}`);
  }
  return value;
}
