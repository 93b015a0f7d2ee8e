import type { StoredMessage } from '../../shared/message.js';
import { StreamedCookieError } from '../storage/cookie-storage.js';
import { inProduction } from '../storage/environment.js';
import { logError } from '../storage/log-error.js';
import type { DropReason } from '../storage/message-store.js';
import { MissingSecretError } from '../storage/signer.js';

/** Where a failure of messages work happened: the procedure's path, when there is one. */
export interface FailureSite {
  readonly path?: string;
}

/** Told when messages could not be stored or read; the request itself goes on. */
export type ErrorReporter = (error: unknown, where: FailureSite) => void;

/** Why messages were dropped unread: a store's reason, or a cookie over its byte budget. */
export type DroppedBecause = DropReason | 'cookie-full';

const because: Record<DroppedBecause, string> = {
  'cookie-full': 'did not fit the cookie',
  overflow: 'were pushed out by newer ones past maxMessagesPerKey',
  evicted: 'were evicted from a full store',
  expired: 'expired unread',
};

/** Messages were dropped unread: `messages`, for `reason`. */
export class MessagesDroppedError extends Error {
  readonly messages: readonly StoredMessage[];
  readonly reason: DroppedBecause;
  constructor(messages: readonly StoredMessage[], reason: DroppedBecause = 'cookie-full') {
    super(`trpc-messages: ${messages.length} message(s) ${because[reason]} and were dropped`);
    this.name = 'MessagesDroppedError';
    this.messages = messages;
    this.reason = reason;
  }
}

/**
 * The kit's policy for failures of messages work: they are reported, never turned into a failed
 * call, except for misconfigurations in development, which are thrown so they are seen.
 */
export class Reporter {
  readonly #report: ErrorReporter;
  readonly #production = inProduction();
  readonly #misconfigurationsReported = new Set<string>();
  // Requests whose messages a store refused: that was reported, so they are not "never stored".
  readonly #failed = new WeakSet<object>();

  constructor(report: ErrorReporter = logError) {
    this.#report = report;
  }

  /** Reports `error`, with the path of the procedure it happened in. */
  report(error: unknown, path?: string): void {
    this.#report(error, path === undefined ? {} : { path });
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
