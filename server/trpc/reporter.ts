import { MissingSecretError } from '../crypto/signer.js';
import { DropSummary, logDrops } from '../reports/drop-summary.js';
import { logError } from '../reports/log-error.js';
import { inProduction } from '../runtime/environment.js';
import { StreamedCookieError } from '../storage/cookie/cookie-backend.js';
import type { DropEvent, MessageStore } from '../storage/message-store.js';

/** Where a failure of messages work happened: the procedure's path, when there is one. */
export interface FailureSite {
  readonly path?: string;
}

/** Told when messages could not be stored or read; the request itself goes on. */
export type ErrorReporter = (error: unknown, where: FailureSite) => void;

/**
 * The kit's policy for failures of messages work: they are reported, never turned into a failed
 * call, except for misconfigurations in development, which are thrown so they are seen.
 */
export class Reporter {
  readonly #report: ErrorReporter;
  // Whether reports go to the app's onError rather than the default log.
  readonly #ownOnError: boolean;
  readonly #production = inProduction();
  readonly #misconfigurationsReported = new Set<string>();
  // Requests whose messages a store refused: that was reported, so they are not "never stored".
  readonly #failed = new WeakSet<object>();
  // The kit's listener to its store's drops, kept here: the store holds it weakly, so a kit that
  // is gone stops listening, and every part of a kit holds its reporter.
  #dropListener: ((event: DropEvent) => void) | undefined;
  // Its listener to its store's other failures (a lost connection), kept here for the same reason.
  #errorListener: ((error: unknown) => void) | undefined;

  constructor(report?: ErrorReporter) {
    this.#report = report ?? logError;
    this.#ownOnError = report !== undefined;
  }

  /** Reports `error`, with the path of the procedure it happened in. */
  report(error: unknown, path?: string): void {
    this.#report(error, path === undefined ? {} : { path });
  }

  /**
   * Reports the messages `store` drops unread: each drop to `onDrop` when the app gives one;
   * else in counts (see `DropSummary`), to the app's onError, or logged once for every kit that
   * has neither (one registration per store).
   */
  watchDrops(store: MessageStore | undefined, onDrop?: (event: DropEvent) => void): void {
    if (!store?.watchDrops) return;
    if (onDrop === undefined && !this.#ownOnError) {
      logDrops(store);
      return;
    }
    const summary = onDrop ? undefined : new DropSummary((error) => this.report(error));
    // A listener of the kit's own, even around the app's onDrop, which may outlive the kit.
    this.#dropListener = (event) => (summary ? summary.add(event) : onDrop?.(event));
    store.watchDrops(this.#dropListener, { weak: true });
  }

  /**
   * Reports the failures `store` has outside any request (a lost connection) to the app's
   * onError; a kit without one leaves them to the store, which logs them (no registration: a
   * thousand such kits on one store, one line).
   */
  watchErrors(store: MessageStore | undefined): void {
    if (!store?.watchErrors || !this.#ownOnError) return;
    this.#errorListener = (error) => this.report(error);
    store.watchErrors(this.#errorListener, { weak: true });
  }

  /**
   * Reports a failure of the request whose messages are `messages`. Misconfigurations are
   * reported once rather than on every request: a missing secret also fails the call; a streamed
   * response used with the cookie storage fails it in development (unreported: the call's
   * error says it) and is only reported in production.
   */
  fail(messages: object, error: unknown, path?: string): void {
    this.#failed.add(messages);
    if (error instanceof StreamedCookieError && !this.#production) throw error;
    if (error instanceof MissingSecretError || error instanceof StreamedCookieError) {
      if (!this.#misconfigurationsReported.has(error.name)) {
        this.#misconfigurationsReported.add(error.name);
        this.report(error, path);
      }
      if (error instanceof MissingSecretError) throw error;
      return;
    }
    this.report(error, path);
  }

  /** Whether a failure of the request whose messages are `messages` was reported. */
  failed(messages: object): boolean {
    return this.#failed.has(messages);
  }
}
