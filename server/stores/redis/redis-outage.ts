import { Notice } from '../../reports/notice.js';
/**
 * Redis could not be reached: reported once as an outage starts (`ms` undefined, `cause` the
 * client's first error), and once as it ends (`ms` its length, `connectionErrors` its count).
 */
export class RedisOutageError extends Notice {
  /** The connection errors the client reported in the outage, the first included. */
  readonly connectionErrors: number;
  /** How long the outage lasted, in ms, once it is over; undefined while it lasts. */
  readonly ms: number | undefined;

  constructor(first: unknown, connectionErrors: number, ms?: number) {
    super(
      ms === undefined
        ? `trpc-messages: lost the connection to Redis (${describe(first)}); until it is back, ` +
            'messages are neither stored nor read and requests go on without them; check that ' +
            'Redis is up and reachable from this process'
        : `trpc-messages: Redis was unreachable for ${(ms / 1000).toFixed(1)} s ` +
            `(${connectionErrors} connection error${connectionErrors === 1 ? '' : 's'}); ` +
            'it answers again',
      { cause: first },
    );
    this.name = 'RedisOutageError';
    this.connectionErrors = connectionErrors;
    this.ms = ms;
  }
}

/** What a client says of its connections: the sources are '' for the client, or a node's address. */
export interface ConnectionHealth {
  /** A connection of `source` failed (each attempt to reconnect that fails, too). */
  failed(source: string, error: unknown): void;
  /** `source` is connected again, or is gone for good (a cluster node that failed over). */
  recovered(source: string): void;
  /** The nodes a cluster client knows now: a failing node no longer among them failed over. */
  nodes(addresses: readonly string[]): void;
}

/**
 * Turns a client's connection errors into one report per outage, not one per retry: the first
 * error after the client was healthy is reported at once; the rest are counted, and summarised
 * once every connection that failed is back (or, in a cluster, gone for good).
 */
export class RedisOutage implements ConnectionHealth {
  readonly #report: (error: RedisOutageError) => void;
  /** What failed and is not back yet: '' for the client as a whole, or a node's address. */
  readonly #failing = new Set<string>();
  #first: unknown;
  #startedAt: number | undefined;
  #errors = 0;

  constructor(report: (error: RedisOutageError) => void) {
    this.#report = report;
  }

  failed(source: string, error: unknown): void {
    this.#failing.add(source);
    this.#errors += 1;
    if (this.#startedAt !== undefined) return;
    this.#startedAt = performance.now();
    this.#first = error;
    this.#report(new RedisOutageError(error, 1));
  }

  recovered(source: string): void {
    if (!this.#failing.delete(source) || this.#failing.size > 0) return;
    const ms = performance.now() - (this.#startedAt ?? performance.now());
    const summary = new RedisOutageError(this.#first, this.#errors, ms);
    this.#startedAt = undefined;
    this.#first = undefined;
    this.#errors = 0;
    this.#report(summary);
  }

  nodes(addresses: readonly string[]): void {
    if (this.#failing.size === 0) return;
    const known = new Set(addresses);
    for (const source of [...this.#failing]) {
      if (source !== '' && !known.has(source)) this.recovered(source);
    }
  }
}

/** A client error's message, or its code or name when it has none (Node's AggregateError). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return error.message || code || error.name;
}
