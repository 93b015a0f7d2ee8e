/**
 * The flash flow every framework has, ours and the peers' alike: a request that adds a message
 * (`POST /save`) and the request that shows it. Its load for autocannon, each connection a
 * browser keeping the cookies it is given; and the case the peers fail: several saves at once on
 * one session, counting the messages delivered.
 */
import type autocannon from 'autocannon';
import { z } from 'zod';
import { mergeCookies } from './cookie-header.js';

/** The peers' apps, each served by `peer-server.ts`. */
export type PeerApp = 'express' | 'express-redis' | 'fastify';

export const PEER_APPS: readonly PeerApp[] = ['express', 'express-redis', 'fastify'];

/** Every app that serves the flash flow: ours with each storage, and the peers. */
export type FlowApp = 'server' | 'redis' | 'cookie' | PeerApp;

const SAVE_BODY = JSON.stringify({ title: 'Write the benchmark' });

const ours = z.object({
  result: z.object({ data: z.object({ messages: z.array(z.unknown()) }) }),
});
const theirs = z.object({ messages: z.record(z.string(), z.array(z.string())) });

/** The request that shows the messages, and how many its answer showed. */
function shows(app: FlowApp): { path: string; count: (body: string) => number } {
  if (app === 'server' || app === 'redis' || app === 'cookie') {
    return {
      path: '/messages.consume',
      count: (body) => ours.parse(JSON.parse(body)).result.data.messages.length,
    };
  }
  return {
    path: '/messages',
    count: (body) => Object.values(theirs.parse(JSON.parse(body)).messages).flat().length,
  };
}

/** A browser's cookie jar: the Cookie header it sends, updated from each Set-Cookie. */
class Jar {
  cookies = '';
  keep(setCookies: string | readonly string[] | undefined): void {
    if (setCookies) this.cookies = mergeCookies(this.cookies, [setCookies].flat());
  }
  headers(): Record<string, string> {
    return this.cookies ? { cookie: this.cookies } : {};
  }
}

/**
 * The connections of the flash flow: each a browser of its own that saves (a flash) and then
 * shows it, keeping its cookies; every show must show the one message its save added.
 */
export function flashFlow(app: FlowApp): () => autocannon.Request[] {
  const { path, count } = shows(app);
  return () => {
    const jar = new Jar();
    const withCookies = (request: autocannon.Request) => ({
      ...request,
      headers: { ...request.headers, ...jar.headers() },
    });
    // autocannon keeps the header names as the server spelled them (Express: Set-Cookie).
    const keep = (_status: number, _body: string, _context: unknown, headers?: unknown) => {
      for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
        if (name.toLowerCase() === 'set-cookie') jar.keep(value as string | string[]);
      }
    };
    return [
      {
        method: 'POST',
        path: '/save',
        headers: { 'content-type': 'application/json' },
        body: SAVE_BODY,
        setupRequest: withCookies,
        onResponse: keep,
      },
      {
        method: 'GET',
        path,
        setupRequest: withCookies,
        onResponse: (status, body, context, headers) => {
          keep(status, body, context, headers);
          if (count(body) !== 1) throw new Error(`bench: ${app}'s show did not show one message`);
        },
      },
    ];
  };
}

async function call(origin: string, jar: Jar, method: 'GET' | 'POST', path: string) {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: {
      ...jar.headers(),
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(method === 'POST' ? { body: SAVE_BODY } : {}),
  });
  const body = await response.text();
  if (!response.ok)
    throw new Error(`bench: ${method} ${path} answered ${response.status}: ${body}`);
  return { setCookies: response.headers.getSetCookie(), body };
}

/** One flash and its show, as one browser: the number of messages shown (1 when it works). */
export async function flashOnce(origin: string, app: FlowApp): Promise<number> {
  const { path, count } = shows(app);
  const jar = new Jar();
  jar.keep((await call(origin, jar, 'POST', '/save')).setCookies);
  const shown = await call(origin, jar, 'GET', path);
  return count(shown.body);
}

/** What the concurrent saves delivered, of how many saved. */
export interface ConcurrentSaves {
  readonly saved: number;
  readonly delivered: number;
}

/**
 * One browser (one session) sends `concurrent` saves at once, `rounds` times, and shows its
 * messages after each burst, applying each answer's cookies as it arrives, as a browser does:
 * how many of the messages saved it was shown. A store that saves the whole session at the end
 * of a request (last write wins) loses the others' messages.
 */
export async function concurrentSaves(
  origin: string,
  app: FlowApp,
  { rounds = 50, concurrent = 10 } = {},
): Promise<ConcurrentSaves> {
  const { path, count } = shows(app);
  const jar = new Jar();
  // The session first, and nothing left in it.
  jar.keep((await call(origin, jar, 'POST', '/save')).setCookies);
  jar.keep((await call(origin, jar, 'GET', path)).setCookies);
  let delivered = 0;
  for (let round = 0; round < rounds; round += 1) {
    const burst = Array.from({ length: concurrent }, () =>
      call(origin, jar, 'POST', '/save').then(({ setCookies }) => jar.keep(setCookies)),
    );
    await Promise.all(burst);
    const shown = await call(origin, jar, 'GET', path);
    jar.keep(shown.setCookies);
    delivered += count(shown.body);
  }
  return { saved: rounds * concurrent, delivered };
}
