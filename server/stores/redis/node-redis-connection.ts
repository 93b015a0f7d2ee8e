import { eachChannel, type RedisConnection, type SubscriberEvents } from './redis-connection.js';
import type { ConnectionHealth } from './redis-outage.js';

/** How node-redis takes an abort signal with a command. */
interface NodeRedisCommandOptions {
  abortSignal?: AbortSignal;
}

/** A node-redis pub/sub listener: the message, then its channel. */
type NodeRedisListener = (message: string, channel: string) => unknown;

/**
 * The part of a node-redis client (`createClient()` of the `redis` package, v5 or later) a
 * Redis store uses; the app connects it. Typed here, not imported, so the library needs
 * node-redis only in the apps that pass a client.
 */
export interface NodeRedisClient {
  sendCommand(args: string[], options?: NodeRedisCommandOptions): Promise<unknown>;
  /** A new client with the same options: the store's subscriber, which it connects. */
  duplicate(): NodeRedisSubscriber;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/** Which node of a cluster a node-redis cluster client's node event is about. */
interface NodeRedisNodeInfo {
  readonly host: string;
  readonly port: number;
}

/** The part of a node-redis cluster client (`createCluster()`) a Redis store uses. */
export interface NodeRedisCluster {
  /** The cluster's masters: told apart from a single server's client by this. */
  readonly masters: readonly unknown[];
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: NodeRedisCommandOptions,
  ): Promise<unknown>;
  /** A new cluster client with the same options: the store's sharded subscriber. */
  duplicate(): NodeRedisClusterSubscriber;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'node-error', listener: (error: Error, node: NodeRedisNodeInfo) => void): unknown;
  on(event: 'node-ready' | 'node-disconnect', listener: (node: NodeRedisNodeInfo) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'node-error', listener: (error: Error, node: NodeRedisNodeInfo) => void): unknown;
  off(
    event: 'node-ready' | 'node-disconnect',
    listener: (node: NodeRedisNodeInfo) => void,
  ): unknown;
}

/** What a Redis store's subscriber, a node-redis client or cluster client, has in common. */
interface NodeRedisConnectable {
  connect(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): Promise<unknown>;
  destroy(): void;
}

/** The part of a node-redis client a Redis store's subscriber uses. */
export interface NodeRedisSubscriber extends NodeRedisConnectable {
  SUBSCRIBE(channels: string[], listener: NodeRedisListener): Promise<void>;
  UNSUBSCRIBE(channels?: string[], listener?: NodeRedisListener): Promise<void>;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of a node-redis cluster client a Redis store's sharded subscriber uses. */
export interface NodeRedisClusterSubscriber extends NodeRedisConnectable {
  SSUBSCRIBE(channels: string[], listener: NodeRedisListener): Promise<void>;
  SUNSUBSCRIBE(channels: string[], listener?: NodeRedisListener): Promise<void>;
}

/**
 * A Redis store's connection through node-redis. A command that timed out is withdrawn if it
 * has not been sent yet (node-redis's abort signal): it never lands late after an outage.
 */
export function nodeRedisConnection(client: NodeRedisClient | NodeRedisCluster): RedisConnection {
  const send =
    'masters' in client
      ? (key: string, args: string[], abortSignal: AbortSignal) =>
          client.sendCommand(key, false, args, { abortSignal })
      : (_key: string, args: string[], abortSignal: AbortSignal) =>
          client.sendCommand(args, { abortSignal });
  const script = (
    command: 'EVALSHA' | 'EVAL',
    body: string,
    keys: readonly string[],
    args: readonly string[],
    signal: AbortSignal,
  ) => send(keys[0] ?? '', [command, body, String(keys.length), ...keys, ...args], signal);
  return {
    cluster: 'masters' in client,
    evalsha: (sha1, keys, args, signal) => script('EVALSHA', sha1, keys, args, signal),
    eval: (source, keys, args, signal) => script('EVAL', source, keys, args, signal),
    lrange: (key, start, stop, signal) =>
      send(key, ['LRANGE', key, String(start), String(stop)], signal),
    subscriber: (events) =>
      'masters' in client ? clusterSubscriber(client, events) : serverSubscriber(client, events),
    watchHealth: (health) =>
      'masters' in client ? watchCluster(client, health) : watchServer(client, health),
  };
}

// node-redis emits 'error' on the client, and on a cluster client for a failed discovery of its
// nodes: with no listener, Node throws it and the process exits. The store always listens.

function watchServer(client: NodeRedisClient, health: ConnectionHealth): () => void {
  const failed = (error: Error) => health.failed('', error);
  const ready = () => health.recovered('');
  client.on('error', failed);
  client.on('ready', ready);
  return () => {
    client.off('error', failed);
    client.off('ready', ready);
  };
}

function watchCluster(client: NodeRedisCluster, health: ConnectionHealth): () => void {
  const address = ({ host, port }: NodeRedisNodeInfo) => `${host}:${port}`;
  const failed = (error: Error) => health.failed('', error);
  const nodeFailed = (error: Error, node: NodeRedisNodeInfo) => health.failed(address(node), error);
  // A node's client ends once a rediscovery leaves it out (it failed over) or the cluster closes.
  const nodeBack = (node: NodeRedisNodeInfo) => health.recovered(address(node));
  client.on('error', failed);
  client.on('node-error', nodeFailed);
  client.on('node-ready', nodeBack);
  client.on('node-disconnect', nodeBack);
  return () => {
    client.off('error', failed);
    client.off('node-error', nodeFailed);
    client.off('node-ready', nodeBack);
    client.off('node-disconnect', nodeBack);
  };
}

/**
 * Connects the store's own subscriber, then calls `onConnected`; a failed connect is retried by
 * node-redis itself.
 */
function connected<T extends NodeRedisConnectable>(subscriber: T, onConnected = () => {}): T {
  // The store hears of the same outage from the app's client (watchHealth); here an error only
  // means a retry.
  subscriber.on('error', () => {});
  subscriber.connect().then(onConnected, () => {});
  return subscriber;
}

/** Closes a subscriber, whether or not it is connected. */
const closing = (subscriber: NodeRedisConnectable) => ({
  quit: () => subscriber.close(),
  disconnect: () => subscriber.destroy(),
});

function serverSubscriber(client: NodeRedisClient, events: SubscriberEvents) {
  const subscriber = client.duplicate();
  subscriber.on('ready', () => events.ready());
  const listener: NodeRedisListener = (message, channel) => events.message(channel, message);
  connected(subscriber);
  return {
    subscribe: (channels: readonly string[]) => subscriber.SUBSCRIBE([...channels], listener),
    unsubscribe: (channels: readonly string[]) => subscriber.UNSUBSCRIBE([...channels], listener),
    ...closing(subscriber),
  };
}

function clusterSubscriber(client: NodeRedisCluster, events: SubscriberEvents) {
  // A cluster client has no 'ready' event: its shards' subscribers reconnect on their own.
  const subscriber = connected(client.duplicate(), () => events.ready());
  const listener: NodeRedisListener = (message, channel) => events.message(channel, message);
  return {
    subscribe: (channels: readonly string[]) =>
      eachChannel(channels, (channel) => subscriber.SSUBSCRIBE([channel], listener)),
    unsubscribe: (channels: readonly string[]) =>
      eachChannel(channels, (channel) => subscriber.SUNSUBSCRIBE([channel], listener)),
    ...closing(subscriber),
  };
}
