import { eachChannel, type RedisConnection, type SubscriberEvents } from './redis-connection.js';
import type { ConnectionHealth } from './redis-outage.js';

/** The commands of an ioredis client (`Redis` or `Cluster`) a Redis store sends. */
interface IoredisCommands {
  evalsha(sha1: string, numkeys: number, ...args: string[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
}

/** The events of an ioredis client, or of one of a cluster's nodes, a Redis store listens to. */
interface IoredisEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/**
 * The part of an ioredis `Redis` client a Redis store uses. Typed here, not imported, so the
 * library needs ioredis only in the apps that pass a client.
 */
export interface IoredisClient extends IoredisCommands, IoredisEvents {
  /** A new connection with the same options: the store's subscriber. */
  duplicate(): IoredisSubscriber;
}

/** A connection of an ioredis `Cluster` to one of its nodes. */
export interface IoredisNode {
  readonly options: { readonly host?: string | undefined; readonly port?: number | undefined };
  once(event: 'ready', listener: () => void): unknown;
}

/** The part of an ioredis `Cluster` client a Redis store uses. */
export interface IoredisCluster extends IoredisCommands {
  /** The cluster's nodes: told apart from a `Redis` client by this. */
  nodes(role?: 'all' | 'master' | 'slave'): IoredisNode[];
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'node error', listener: (error: Error, address: string) => void): unknown;
  on(event: '+node', listener: (node: IoredisNode) => void): unknown;
  on(event: 'ready' | 'refresh', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'node error', listener: (error: Error, address: string) => void): unknown;
  off(event: '+node', listener: (node: IoredisNode) => void): unknown;
  off(event: 'ready' | 'refresh', listener: () => void): unknown;
  /** A new cluster client with the same nodes; the store's has sharded subscribers. */
  duplicate(
    overrideStartupNodes?: never[],
    overrideOptions?: { shardedSubscribers?: boolean },
  ): IoredisClusterSubscriber;
}

/** The part of an ioredis connection a Redis store's subscriber uses. */
export interface IoredisSubscriber {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** The part of an ioredis cluster client a Redis store's sharded subscriber uses. */
export interface IoredisClusterSubscriber {
  ssubscribe(...channels: string[]): Promise<unknown>;
  sunsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'smessage', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * A Redis store's connection through ioredis. ioredis cannot withdraw a command once queued, so
 * the abort signals are not used: a command that timed out may still run when Redis is back
 * (with its offline queue, or re-sent by a `Cluster` after MOVED, TRYAGAIN or CLUSTERDOWN).
 */
export function ioredisConnection(client: IoredisClient | IoredisCluster): RedisConnection {
  const commands: IoredisCommands = client;
  return {
    cluster: 'nodes' in client,
    evalsha: (sha1, keys, args) => commands.evalsha(sha1, keys.length, ...keys, ...args),
    eval: (source, keys, args) => commands.eval(source, keys.length, ...keys, ...args),
    lrange: (key, start, stop) => commands.lrange(key, start, stop),
    subscriber: (events) =>
      'nodes' in client ? clusterSubscriber(client, events) : serverSubscriber(client, events),
    watchHealth: (health) =>
      'nodes' in client ? watchCluster(client, health) : watchServer(client, health),
  };
}

function watchServer(client: IoredisClient, health: ConnectionHealth): () => void {
  const failed = (error: Error) => health.failed('', error);
  const ready = () => health.recovered('');
  client.on('error', failed);
  client.on('ready', ready);
  return () => {
    client.off('error', failed);
    client.off('ready', ready);
  };
}

/** A cluster node's address, as ioredis names it in its 'node error' events. */
const addressOf = (node: IoredisNode) => `${node.options.host}:${node.options.port}`;

function watchCluster(client: IoredisCluster, health: ConnectionHealth): () => void {
  let watching = true;
  // A node's errors are the cluster's 'node error'; its connections do not reconnect, a new
  // one is made for the next command, and its 'ready' says the node is back.
  const nodeFailed = (error: Error, address: string) => health.failed(address, error);
  const added = (node: IoredisNode) =>
    node.once('ready', () => {
      if (watching) health.recovered(addressOf(node));
    });
  const failed = (error: Error) => health.failed('', error);
  const ready = () => health.recovered('');
  // A node gone from the slots it had (failed over) is left out of the refreshed pool.
  const refreshed = () => health.nodes(client.nodes('all').map(addressOf));
  client.on('node error', nodeFailed);
  client.on('+node', added);
  client.on('error', failed);
  client.on('ready', ready);
  client.on('refresh', refreshed);
  return () => {
    watching = false;
    client.off('node error', nodeFailed);
    client.off('+node', added);
    client.off('error', failed);
    client.off('ready', ready);
    client.off('refresh', refreshed);
  };
}

function serverSubscriber(client: IoredisClient, events: SubscriberEvents) {
  const subscriber = client.duplicate();
  // The store hears of the same outage from the app's client (watchHealth); here an error only
  // means a retry.
  subscriber.on('error', () => {});
  subscriber.on('message', (channel, message) => events.message(channel, message));
  subscriber.on('ready', () => events.ready());
  return {
    subscribe: (channels: readonly string[]) => subscriber.subscribe(...channels),
    unsubscribe: (channels: readonly string[]) => subscriber.unsubscribe(...channels),
    quit: () => subscriber.quit(),
    disconnect: () => subscriber.disconnect(),
  };
}

function clusterSubscriber(client: IoredisCluster, events: SubscriberEvents) {
  // One subscriber connection per master, each subscribed to its own slots' channels.
  const subscriber = client.duplicate([], { shardedSubscribers: true });
  subscriber.on('error', () => {});
  subscriber.on('smessage', (channel, message) => events.message(channel, message));
  subscriber.on('ready', () => events.ready());
  return {
    subscribe: (channels: readonly string[]) =>
      eachChannel(channels, (channel) => subscriber.ssubscribe(channel)),
    unsubscribe: (channels: readonly string[]) =>
      eachChannel(channels, (channel) => subscriber.sunsubscribe(channel)),
    quit: () => subscriber.quit(),
    disconnect: () => subscriber.disconnect(),
  };
}
