import type { Baseline } from './baseline.js';
import { type Django, type DjangoStorage, findPython, startDjango } from './django.js';
import { measureRound, median, positiveFromEnv, type RoundTime } from './measure.js';
import { canPin, LOAD_CORES, pin, pinned } from './pinning.js';
import { type StorageCase, storageCases } from './storage-cases.js';

/** Another side's rounds of a case, each paired with ours: its time over ours. */
export interface Paired {
  readonly microseconds: number;
  readonly cpuMicroseconds: number;
  /**
   * Its CPU time over ours: the median of the rounds' paired ratios, and their spread (CPU
   * time, not wall time: on a shared machine either side may wait for the core).
   */
  readonly times: number;
  readonly spread: readonly [number, number];
  /** The same by wall time. */
  readonly wallTimes: number;
}

export interface StorageFigure {
  readonly name: string;
  /** Ours: the median round's microseconds per cycle, in wall time and in CPU time. */
  readonly microseconds: number;
  readonly cpuMicroseconds: number;
  /** Django's storage doing the same cycle, paired round by round; undefined without Django. */
  readonly django?: Paired & { readonly storage: DjangoStorage };
  /** The baseline's kit doing the same cycle (BENCH_BASELINE), paired round by round. */
  readonly baseline?: Paired;
}

/** What the storage benchmark measured, and against which Django (if any was found). */
export interface StorageBench {
  readonly figures: StorageFigure[];
  readonly django: Django['version'] | undefined;
}

// Each of our rounds runs this many cycles; Django's, as many as take about as long as ours.
const ITERATIONS = 20_000;
const DJANGO_ROUND_SECONDS = 0.15;

/** The rounds `theirs`, each paired with the round of `ours` it followed or preceded. */
function paired(ours: readonly RoundTime[], theirs: readonly RoundTime[]): Paired {
  const ratios = theirs.map((t, i) => t.cpuMicroseconds / (ours[i] as RoundTime).cpuMicroseconds);
  const wallRatios = theirs.map((t, i) => t.microseconds / (ours[i] as RoundTime).microseconds);
  return {
    microseconds: median(theirs.map((t) => t.microseconds)),
    cpuMicroseconds: median(theirs.map((t) => t.cpuMicroseconds)),
    times: median(ratios),
    spread: [Math.min(...ratios), Math.max(...ratios)],
    wallTimes: median(wallRatios),
  };
}

/**
 * Runs the storage cycle benchmark: each case in BENCH_STORAGE_ROUNDS rounds (default 15), and
 * right after each of its rounds, Django's storage doing the same cycle in its own process on the
 * same core, so that both sides of a ratio see the same spell of a shared machine. With a
 * `baseline`, its kit does each round's cycles too, in this process, in turn first with ours.
 */
export async function benchStorage(baseline?: Baseline): Promise<StorageBench> {
  const rounds = positiveFromEnv('BENCH_STORAGE_ROUNDS', 15);
  const cases = await storageCases();
  const baselineCases = baseline ? await baseline.storageCases() : [];

  const python = findPython({ install: true });
  if (!python) {
    console.warn(
      '\nbench: no python3 with Django (and apt-get could not install python3-django): the ' +
        'Django cases are SKIPPED; set BENCH_PYTHON to a python3 that has Django.\n',
    );
  }
  // This process and Django's on one core, taking turns.
  const pinning = canPin();
  if (pinning) pin(process.pid, LOAD_CORES);
  const django = python ? await startDjango(python, pinned([], LOAD_CORES, pinning)) : undefined;

  const figures: StorageFigure[] = [];
  try {
    for (const [index, { name, work, django: peer, count }] of cases.entries()) {
      const baselineCase: StorageCase | undefined = baselineCases[index];
      if (baseline && baselineCase?.name !== name) {
        throw new Error(`bench: the baseline's storage cases are not ours (${baselineCase?.name})`);
      }
      await measureRound(work, ITERATIONS); // warm up: let the JIT settle
      if (baselineCase) await measureRound(baselineCase.work, ITERATIONS);
      let peerIterations = 0;
      if (django && peer) {
        const { read, cleared } = await django.check(peer, count);
        if (read.length !== count || !cleared) {
          throw new Error(`bench: Django's ${peer} cycle read ${read.length} of ${count}`);
        }
        const guess = await django.round(peer, count, 200);
        peerIterations = Math.max(
          50,
          Math.round((DJANGO_ROUND_SECONDS * 1e6) / guess.microseconds),
        );
      }
      const ours: RoundTime[] = [];
      const theirs: RoundTime[] = [];
      const baselines: RoundTime[] = [];
      for (let round = 0; round < rounds; round += 1) {
        // Ours and the baseline's in turn first, so that neither always runs right after
        // Django's round.
        if (baselineCase && round % 2 === 1)
          baselines.push(await measureRound(baselineCase.work, ITERATIONS));
        ours.push(await measureRound(work, ITERATIONS));
        if (baselineCase && round % 2 === 0)
          baselines.push(await measureRound(baselineCase.work, ITERATIONS));
        if (django && peer) theirs.push(await django.round(peer, count, peerIterations));
      }
      figures.push({
        name,
        microseconds: median(ours.map((t) => t.microseconds)),
        cpuMicroseconds: median(ours.map((t) => t.cpuMicroseconds)),
        ...(peer && theirs.length > 0
          ? { django: { storage: peer, ...paired(ours, theirs) } }
          : {}),
        ...(baselineCase ? { baseline: paired(ours, baselines) } : {}),
      });
    }
  } finally {
    await django?.close();
  }
  return { figures, django: django?.version };
}
