// Preamble of the docs' Redis Cluster fragments (see test/docs/snippets.test.ts): the names they
// use, which test/server/trpc/redis-failover.test.ts passes in when it runs them as written: each
// library's cluster constructor, `once`, and the startup nodes in each library's form.
// biome-ignore-all lint/correctness/noUnusedImports: the names are for the blocks that follow
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow
import { once } from 'node:events';
import { Cluster, type ClusterNode } from 'ioredis';
import { createCluster, type RedisClusterOptions } from 'redis';

/** ioredis's startup nodes. */
declare const nodes: ClusterNode[];
/** node-redis's. */
declare const rootNodes: RedisClusterOptions['rootNodes'];
