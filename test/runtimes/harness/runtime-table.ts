import type { StorageName } from '../app/storages.js';
import type { Runtime } from './runtimes.js';

/** What one runtime did in the suite. */
interface RuntimeRecord {
  readonly runtime: Runtime;
  /** Ready times of its processes (spawn to "listening"), in ms. */
  readonly readyMs: number[];
  /** Storages with at least one test run, and those of which a test failed or was skipped. */
  readonly ran: Set<StorageName>;
  readonly failed: Set<StorageName>;
  readonly skipped: Set<StorageName>;
}

/** What each runtime did in the suite: for the table printed at its end. */
export class RuntimeRecords {
  readonly #records: Map<Runtime, RuntimeRecord>;

  constructor(runtimes: readonly Runtime[]) {
    this.#records = new Map(
      runtimes.map((runtime) => [
        runtime,
        { runtime, readyMs: [], ran: new Set(), failed: new Set(), skipped: new Set() },
      ]),
    );
  }

  ready(runtime: Runtime, ms: number): void {
    this.#of(runtime).readyMs.push(ms);
  }

  ran(runtime: Runtime, storage: StorageName): void {
    this.#of(runtime).ran.add(storage);
  }

  failed(runtime: Runtime, storage: StorageName): void {
    this.#of(runtime).failed.add(storage);
  }

  skipped(runtime: Runtime, storage: StorageName): void {
    this.#of(runtime).skipped.add(storage);
  }

  /** Every runtime's record, in the order given. */
  all(): readonly RuntimeRecord[] {
    return [...this.#records.values()];
  }

  #of(runtime: Runtime): RuntimeRecord {
    const record = this.#records.get(runtime);
    if (!record) throw new Error(`runtime table: no runtime ${runtime.name}`);
    return record;
  }
}

/**
 * The runtimes' table in Markdown, for docs/getting-started/runtimes.md: version, storages that
 * passed, ready time.
 */
export function runtimeTable(records: RuntimeRecords): string {
  const rows = records.all().map(({ runtime, readyMs, ran, failed, skipped }) => {
    if (runtime.missing) return [runtime.name, '—', `not installed: ${runtime.missing}`, '—'];
    const passing = runtime.storages.filter((s) => ran.has(s) && !failed.has(s) && !skipped.has(s));
    const notPassing = runtime.storages.filter((s) => !passing.includes(s));
    const storages = [
      passing.length > 0 ? passing.join(', ') : 'none',
      ...(notPassing.length > 0 ? [`(not passing: ${notPassing.join(', ')})`] : []),
    ].join(' ');
    const sorted = [...readyMs].sort((a, b) => a - b);
    const ready =
      sorted.length === 0
        ? 'did not start'
        : `${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms`;
    return [runtime.name, safely(() => runtime.version()), storages, ready];
  });
  const header = ['runtime', 'version', 'storages passing', 'spawn to ready (median)'];
  return [header, header.map(() => '---'), ...rows]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
}

/** Prints the runtimes' table on the console. */
export function printRuntimeTable(records: RuntimeRecords): void {
  console.log(
    `\nThe fetch-adapter app on every runtime, as measured:\n\n${runtimeTable(records)}\n`,
  );
}

function safely(read: () => string): string {
  try {
    return read();
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  }
}
