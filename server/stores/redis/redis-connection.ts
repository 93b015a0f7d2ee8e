import type { ConnectionHealth } from './redis-outage.js';

/**
 * What a Redis store asks of a Redis client, whichever library it comes from (ioredis,
 * node-redis) and whether it talks to one server or a cluster. Each client library has an
 * adapter of its own beside this file; the store sees only this.
 */
export interface RedisConnection {
  /** A Redis Cluster: appends are published on the key's shard (SPUBLISH), not to every node. */
  readonly cluster: boolean;
  /** Runs a script by its SHA1 (EVALSHA). `signal` withdraws the command if it is not sent yet. */
  evalsha(
    sha1: string,
    keys: readonly string[],
    args: readonly string[],
    signal: AbortSignal,
  ): Promise<unknown>;
  /** Runs a script by its source (EVAL), when Redis lacks its SHA1. */
  eval(
    source: string,
    keys: readonly string[],
    args: readonly string[],
    signal: AbortSignal,
  ): Promise<unknown>;
  /** LRANGE key start stop. */
  lrange(key: string, start: number, stop: number, signal: AbortSignal): Promise<unknown>;
  /** A connection of the store's own for live signals (sharded pub/sub on a cluster). */
  subscriber(events: SubscriberEvents): RedisSubscriber;
  /**
   * Listens to the client's connection events (its 'error' among them, so that none is thrown
   * as an unhandled 'error' event) and tells `health`; returns the function that stops it.
   */
  watchHealth(health: ConnectionHealth): () => void;
}

/** What a store's subscriber tells it. */
export interface SubscriberEvents {
  /** A message was published on a channel it subscribed to. */
  message(channel: string, payload: string): void;
  /** The subscriber is connected (again): what was published while it was away went unheard. */
  ready(): void;
}

/** A store's own connection in subscriber mode. */
export interface RedisSubscriber {
  subscribe(channels: readonly string[]): Promise<unknown>;
  unsubscribe(channels: readonly string[]): Promise<unknown>;
  /** Closes it once its pending commands are answered. */
  quit(): Promise<unknown>;
  /** Closes it at once. */
  disconnect(): void;
}

/** Runs `send` once per channel, all at once: a cluster takes one slot's channels per command. */
export const eachChannel = (
  channels: readonly string[],
  send: (channel: string) => Promise<unknown>,
): Promise<unknown> => Promise.all(channels.map(send));
