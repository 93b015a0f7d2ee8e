/**
 * Microseconds per call of `work`: the median, over `rounds`, of the mean over `iterations`
 * calls run back to back. Timing whole rounds keeps the harness's own cost (a clock read and an
 * await per call in tinybench-style harnesses) out of figures that are only a few microseconds.
 */
export async function measure(
  work: () => unknown,
  { rounds = 15, iterations = 20_000 }: { rounds?: number; iterations?: number } = {},
): Promise<number> {
  for (let i = 0; i < iterations; i += 1) await work(); // warm up: let the JIT settle
  const means: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    for (let i = 0; i < iterations; i += 1) await work();
    means.push(((performance.now() - start) * 1000) / iterations);
  }
  means.sort((a, b) => a - b);
  return means[Math.floor(means.length / 2)] as number;
}
