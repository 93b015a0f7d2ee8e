/**
 * One server of a peer a user might pick instead of trpc-messages, run in its own process by
 * `http.bench.ts` as `http-server.ts` runs ours, with the same reports over IPC: Express with
 * express-session and connect-flash (its memory store, or connect-redis), and Fastify with
 * @fastify/session, @fastify/cookie and @fastify/flash (its memory store). Each serves the flash
 * flow: `POST /save` flashes 'Saved.', `GET /messages` shows (and clears) the flashes.
 */
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyFlash from '@fastify/flash';
import fastifySession from '@fastify/session';
import flash from 'connect-flash';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import Fastify from 'fastify';
import { createClient } from 'redis';
import { PEER_APPS, type PeerApp } from './flash-flow.js';
import type { ServerReport } from './http-server.js';

const secret = 'benchmark-secret-of-at-least-32-chars';

type Listening = { port: number; close: () => Promise<void> };

async function expressServer(redisUrl?: string): Promise<Listening> {
  const redis = redisUrl ? await createClient({ url: redisUrl }).connect() : undefined;
  const app = express();
  app.use(express.json());
  app.use(
    session({
      secret,
      resave: false,
      saveUninitialized: false,
      cookie: { secure: false },
      ...(redis ? { store: new RedisStore({ client: redis }) } : {}),
    }),
  );
  app.use(flash());
  app.post('/save', (req, res) => {
    req.flash('success', 'Saved.');
    res.json({ id: 1, title: (req.body as { title: string }).title });
  });
  app.get('/messages', (req, res) => {
    res.json({ messages: req.flash() });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await redis?.quit();
    },
  };
}

async function fastifyServer(): Promise<Listening> {
  const app = Fastify();
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret,
    saveUninitialized: false,
    cookie: { secure: false },
  });
  await app.register(fastifyFlash);
  app.post('/save', async (request) => {
    request.flash('success', 'Saved.');
    return { id: 1, title: (request.body as { title: string }).title };
  });
  app.get('/messages', async (_request, reply) => ({ messages: reply.flash() }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    port: (app.server.address() as AddressInfo).port,
    close: () => app.close(),
  };
}

const peer = process.argv[2];
const send = process.send?.bind(process);
if (!send || !PEER_APPS.includes(peer as PeerApp)) {
  throw new Error(
    `bench/peer-server.ts: run it through http.bench.ts, which forks it with one of ${PEER_APPS.join(', ')}`,
  );
}
const report = (message: ServerReport) => send(message);
const listening =
  peer === 'fastify'
    ? await fastifyServer()
    : await expressServer(peer === 'express-redis' ? process.argv[3] : undefined);
report({ port: listening.port });
process.on('message', () => {
  const { user, system } = process.cpuUsage();
  report({ cpuMicroseconds: user + system, dropped: 0 });
});
process.on('disconnect', () => void listening.close());
