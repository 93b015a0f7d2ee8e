import type { StoredMessage } from '../../../shared/message.js';
import { randomId } from '../../crypto/random-id.js';
import { DropListeners } from '../../reports/drop-listeners.js';
import { ErrorListeners } from '../../reports/error-listeners.js';
import type { ListenOptions } from '../../reports/listeners.js';
import { positiveInteger } from '../../runtime/positive-integer.js';
import { TAKE_HOLDER_PREFIX } from '../../storage/delivery-rule.js';
import { decodeMessages, encodeMessagesAsJson } from '../../storage/message-codec.js';
import {
  assertLeaseFor,
  type DropEvent,
  type MessageStore,
  RetiredKeyError,
  type Retirement,
  type StoreChange,
} from '../../storage/message-store.js';
import {
  type IoredisClient,
  type IoredisCluster,
  ioredisConnection,
} from './ioredis-connection.js';
import {
  type NodeRedisClient,
  type NodeRedisCluster,
  nodeRedisConnection,
} from './node-redis-connection.js';
import type { RedisConnection, RedisSubscriber } from './redis-connection.js';
import { RedisOutage } from './redis-outage.js';
import {
  COMMIT,
  COMMIT_SHARDED,
  MARK_USED,
  RETIRE,
  RETIRE_SHARDED,
  type Script,
} from './redis-scripts.js';
import { Retries } from './retries.js';

/**
 * The app's Redis client, of either library, for one server or a cluster: an ioredis `Redis` or
 * `Cluster`, or a node-redis (`redis` package, v5 or later) `createClient()` or `createCluster()`,
 * connected by the app. One store takes all four rather than an adapter per library, since the
 * choice is already made by the client the app has: the store tells them apart by their methods
 * (ioredis's `evalsha`, a cluster's `nodes` or `masters`) and talks to each through its own
 * connection file (ioredis-connection.ts, node-redis-connection.ts).
 */
export type RedisStoreClient = IoredisClient | IoredisCluster | NodeRedisClient | NodeRedisCluster;
export type { IoredisClient, IoredisCluster, NodeRedisClient, NodeRedisCluster };

/** Settings of a Redis store. */
export interface RedisStoreOptions {
  /** The app's Redis client (ioredis or node-redis, one server or a cluster); the store never closes it. */
  readonly client: RedisStoreClient;
  /** Put before every Redis key and channel of the store. Default 'trpc-messages:'. */
  readonly prefix?: string;
  /** How long a key's messages live after its last append, in seconds. Default 1 day. */
  readonly ttlSeconds?: number;
  /** The most messages held per key; the oldest go first. Default 50. */
  readonly maxMessagesPerKey?: number;
  /** How long a command may wait for Redis before it fails, in ms. Default 2000. */
  readonly commandTimeoutMs?: number;
  /**
   * How long the messages a take hands out (a consume by a client that does not acknowledge) are
   * held for it, in ms, while the store removes what it received in a second step, sent again
   * until it lands. Default 60000. A take that Redis ran after the store had given up on it
   * delays its messages this long.
   */
  readonly takeLeaseMs?: number;
  /**
   * Called with the messages an append pushed past `maxMessagesPerKey` (reason 'overflow').
   * Messages that expire are not reported: Redis deletes them on its own. The tRPC kit reports
   * drops on its own; a store used without it and without `onDrop` logs them in counts.
   */
  readonly onDrop?: (event: DropEvent) => void;
}

/**
 * Messages in Redis, shared by every instance of the app; each operation is one atomic round
 * trip (a Lua script, or LRANGE for a peek), and appends of free messages are published so that
 * a watch on any instance hears them.
 *
 * Layout: each key's messages are one Redis list, `${prefix}{${key}}`, oldest first, one
 * message per element in the compact JSON of message-codec; their leases are a hash beside it,
 * `${prefix}{${key}}:leases`, message id to "<holder> <until ms>". Both expire `ttlSeconds` after
 * the key's last append. A retired key (a rotated session) has `${prefix}{${key}}:retired`,
 * "<forward until ms> <successor>", for as long as its cookie could be valid; an action token
 * used is `${prefix}used:<token id>`, until the action expires. Appends are published on a channel named as the list: by PUBLISH on one
 * server, by SPUBLISH on a cluster, so that only the key's shard hears them. The key sits in a
 * hash tag (the braces) so that all a key owns stays in one Redis Cluster slot.
 */
export class RedisStore implements MessageStore {
  readonly #connection: RedisConnection;
  readonly #commit: Script;
  readonly #retire: Script;
  readonly #prefix: string;
  readonly #ttlSeconds: number;
  readonly #maxMessagesPerKey: number;
  readonly #commandTimeoutMs: number;
  readonly #takeLeaseMs: number;
  readonly #drops: DropListeners;
  readonly #errors = new ErrorListeners();
  readonly #outage = new RedisOutage((error) => this.#errors.emit(error));
  readonly #stopWatchingHealth: () => void;
  readonly #retries = new Retries();
  /** Listeners by channel; each registration is its own function, so one can be added twice. */
  readonly #listeners = new Map<string, Set<(heldBy: string | undefined) => void>>();
  /** Channels left unwatched while Redis was away, to unsubscribe once it is back. */
  readonly #stale = new Set<string>();
  #subscriber: RedisSubscriber | undefined;
  #resubscribeWhenReady = false;

  constructor(options: RedisStoreOptions) {
    const { client } = options;
    this.#connection =
      'evalsha' in client ? ioredisConnection(client) : nodeRedisConnection(client);
    this.#commit = this.#connection.cluster ? COMMIT_SHARDED : COMMIT;
    this.#retire = this.#connection.cluster ? RETIRE_SHARDED : RETIRE;
    this.#prefix = options.prefix ?? 'trpc-messages:';
    if (/[{}]/.test(this.#prefix)) {
      // Redis Cluster would hash the prefix's braces instead of the key's.
      throw new RangeError(`trpc-messages: prefix must not contain { or }, got '${this.#prefix}'`);
    }
    this.#ttlSeconds = positiveInteger(options.ttlSeconds ?? 86_400, 'ttlSeconds');
    this.#maxMessagesPerKey = positiveInteger(options.maxMessagesPerKey ?? 50, 'maxMessagesPerKey');
    this.#commandTimeoutMs = positiveInteger(options.commandTimeoutMs ?? 2000, 'commandTimeoutMs');
    this.#takeLeaseMs = positiveInteger(options.takeLeaseMs ?? 60_000, 'takeLeaseMs');
    this.#drops = new DropListeners(options.onDrop);
    // Listening to the app's client: a connection error is reported, never thrown as an
    // unhandled 'error' event (node-redis), whatever listeners the app gave it.
    this.#stopWatchingHealth = this.#connection.watchHealth(this.#outage);
  }

  async peek(key: string): Promise<StoredMessage[]> {
    const list = this.#redisKey(key);
    const reply = await this.#timed((signal) => this.#connection.lrange(list, 0, -1, signal));
    this.#answered();
    return decodeList(reply);
  }

  async commit(key: string, change: StoreChange): Promise<StoredMessage[]> {
    assertLeaseFor(change);
    // A take under a lease of the caller's is the caller's to acknowledge: one step.
    if (change.handOut !== 'take' || change.lease) return this.#step(key, change);
    // A take must never remove messages no one received, yet Redis may run it after the store
    // gave up on it (a timeout, then a Cluster's retry or an offline queue). So it leases what it
    // hands out to a holder of its own, and a second step acknowledges exactly what the reply
    // brought: a take that ran late only delays its messages by takeLeaseMs. The script's leases
    // and acknowledgements are those a tab's consume uses.
    const sent = performance.now();
    const lease = { holder: `${TAKE_HOLDER_PREFIX}${randomId(12)}`, ms: this.#takeLeaseMs };
    const handedOut = await this.#step(key, { ...change, lease });
    if (handedOut.length === 0) return handedOut;
    const acknowledge = () => this.#step(key, { acked: handedOut.map((message) => message.id) });
    try {
      await acknowledge();
    } catch (error) {
      // The messages are in hand: they go out. An acknowledgement removes only what its take
      // received, so it is safe to send again (after a failover, say) until the lease ends;
      // only then would the messages be handed out again.
      const giveUp = (last: unknown) =>
        this.#errors.emit(
          new Error(
            `trpc-messages: ${handedOut.length} message(s) of ${key} were handed out, but their ` +
              `removal failed until their lease of ${this.#takeLeaseMs} ms ended, so they may be ` +
              'handed out again',
            { cause: last },
          ),
        );
      this.#retries.sendAgain(acknowledge, error, sent + this.#takeLeaseMs, giveUp);
    }
    return handedOut;
  }

  watchErrors(listener: (error: unknown) => void, options?: ListenOptions): () => void {
    return this.#errors.watch(listener, options);
  }

  async retire(key: string, successor: string, retirement: Retirement): Promise<StoredMessage[]> {
    const list = this.#redisKey(key);
    const keys = [list, `${list}:leases`, `${list}:retired`];
    const args = [successor, String(retirement.ttlMs), String(retirement.forwardMs)];
    return decodeList(await this.#timed((signal) => this.#run(this.#retire, keys, args, signal)));
  }

  async markUsed(id: string, until: number): Promise<boolean> {
    const keys = [`${this.#prefix}used:${id}`];
    const reply = await this.#timed((signal) =>
      this.#run(MARK_USED, keys, [String(until)], signal),
    );
    return reply === 1;
  }

  watchDrops(listener: (event: DropEvent) => void, options?: ListenOptions): () => void {
    return this.#drops.watch(listener, options);
  }

  /**
   * Also calls `listener` (with no holder) once the subscription is live, and again after the
   * subscriber reconnects, if the key holds messages then: an append made before either may have
   * gone unheard (the check is one LRANGE of the list's first element). A listener that throws is
   * reported as an uncaught exception, like any event listener's, without disturbing the others.
   */
  watch(key: string, listener: (heldBy: string | undefined) => void): () => void {
    const channel = this.#redisKey(key);
    let listeners = this.#listeners.get(channel);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
      this.#stale.delete(channel);
      this.#subscribe([channel]);
    }
    const registration = (heldBy: string | undefined) => listener(heldBy);
    listeners.add(registration);
    const watched = listeners;
    return () => {
      if (!watched.delete(registration) || watched.size > 0) return;
      if (this.#listeners.get(channel) !== watched) return;
      this.#listeners.delete(channel);
      this.#unsubscribe([channel]);
    };
  }

  /**
   * Stops every watch and closes the store's subscriber connection; stops listening to the app's
   * client, which it leaves open, and drops the removals of taken messages it was still retrying.
   */
  async close(): Promise<void> {
    this.#stopWatchingHealth();
    this.#retries.stop();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    this.#listeners.clear();
    this.#stale.clear();
    this.#resubscribeWhenReady = false;
    if (subscriber === undefined) return;
    try {
      await this.#timed(() => subscriber.quit());
    } catch {
      subscriber.disconnect();
    }
  }

  #redisKey(key: string): string {
    return `${this.#prefix}{${key}}`;
  }

  /**
   * Redis answered the app's client: it is connected, which ends an outage of a client that says
   * so by no event of its own (a node-redis cluster client after a failed discovery).
   */
  #answered(): void {
    this.#outage.recovered('');
  }

  /** One run of the script on `key`: returns what it handed out, and reports what it trimmed. */
  async #step(key: string, change: StoreChange): Promise<StoredMessage[]> {
    const { added = [], acked = [], lease, handOut = 'none' } = change;
    // Nothing to change and nothing to hand out: no round trip.
    if (added.length === 0 && acked.length === 0 && handOut === 'none') return [];
    const list = this.#redisKey(key);
    const args: string[] = [
      String(this.#maxMessagesPerKey),
      String(this.#ttlSeconds),
      list,
      handOut,
      lease?.holder ?? '',
      String(lease?.ms ?? 0),
      String(acked.length),
      ...acked,
    ];
    // As plain JSON, whose id the script reads.
    for (const message of added) args.push(encodeMessagesAsJson([message]));
    const keys = [list, `${list}:leases`, `${list}:retired`];
    const reply = await this.#timed((signal) => this.#run(this.#commit, keys, args, signal));
    this.#answered();
    const [handedOut, trimmed, successor] = Array.isArray(reply) ? reply : [];
    if (typeof successor === 'string') throw new RetiredKeyError(key, successor || undefined);
    this.#drops.emit({ key, messages: decodeList(trimmed), reason: 'overflow' });
    return decodeList(handedOut);
  }

  /** Runs a script on `keys` by its SHA1, sending its source only if Redis lacks it. */
  async #run(
    script: Script,
    keys: readonly string[],
    args: readonly string[],
    signal: AbortSignal,
  ): Promise<unknown> {
    try {
      return await this.#connection.evalsha(script.sha1, keys, args, signal);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.#connection.eval(script.source, keys, args, signal);
    }
  }

  /**
   * What `send` resolves to, or a rejection once Redis has kept us waiting too long; then
   * `send`'s signal aborts, which withdraws a command not sent yet where the client can.
   */
  #timed<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ms = this.#commandTimeoutMs;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(
          new Error(
            `trpc-messages: Redis did not answer within ${ms}ms; check that it is up and reachable, or raise commandTimeoutMs`,
          ),
        );
      }, ms);
    });
    // The race handles a reply that comes after the timeout, even a rejection; an async
    // wrapper turns a synchronous throw of the client into a rejection.
    return Promise.race([(async () => send(abort.signal))(), timeout]).finally(() =>
      clearTimeout(timer),
    );
  }

  /** The subscriber connection, opened on the first watch. */
  #connectedSubscriber(): RedisSubscriber {
    if (this.#subscriber) return this.#subscriber;
    const subscriber = this.#connection.subscriber({
      message: (channel, heldBy) => this.#notify([channel], heldBy || undefined),
      ready: () => {
        if (this.#subscriber !== subscriber) return;
        // After a reconnect (or a failed subscribe) subscribe anew: the clients resubscribe what
        // they knew, but this tells when it is done, so the listeners look for what they missed.
        if (this.#resubscribeWhenReady) this.#subscribe([...this.#listeners.keys()]);
        this.#resubscribeWhenReady = true;
        const stale = [...this.#stale].filter((channel) => !this.#listeners.has(channel));
        this.#stale.clear();
        this.#unsubscribe(stale);
      },
    });
    this.#subscriber = subscriber;
    return subscriber;
  }

  #subscribe(channels: readonly string[]): void {
    if (channels.length === 0) return;
    const subscriber = this.#connectedSubscriber();
    subscriber.subscribe(channels).then(
      () => {
        if (this.#subscriber === subscriber) this.#notifyWaiting(channels);
      },
      () => {
        if (this.#subscriber === subscriber) this.#resubscribeWhenReady = true;
      },
    );
  }

  /**
   * Tells the listeners of each channel whose list holds messages (or could not be read): they
   * may have been appended before the subscription was live, unheard. An empty list says nothing.
   */
  #notifyWaiting(channels: readonly string[]): void {
    for (const channel of channels) {
      this.#timed((signal) => this.#connection.lrange(channel, 0, 0, signal)).then(
        (first) => {
          if (!Array.isArray(first) || first.length > 0) this.#notify([channel]);
        },
        () => this.#notify([channel]),
      );
    }
  }

  #unsubscribe(channels: readonly string[]): void {
    const subscriber = this.#subscriber;
    if (subscriber === undefined || channels.length === 0) return;
    subscriber.unsubscribe(channels).catch(() => {
      if (this.#subscriber === subscriber) for (const channel of channels) this.#stale.add(channel);
    });
  }

  #notify(channels: readonly string[], heldBy?: string): void {
    for (const channel of channels) {
      for (const listener of [...(this.#listeners.get(channel) ?? [])]) {
        try {
          listener(heldBy);
        } catch (error) {
          // Thrown later, not into the client's reply parser.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    }
  }
}

/** The messages of a list reply; elements that do not decode are skipped. */
function decodeList(reply: unknown): StoredMessage[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((element) =>
    typeof element === 'string' ? (decodeMessages(element)?.messages ?? []) : [],
  );
}
