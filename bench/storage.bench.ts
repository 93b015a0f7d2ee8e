import type { Storage } from '../server/storage/backend.js';
import { createCookieExchange } from '../server/storage/cookie-exchange.js';
import { cookieStorage } from '../server/storage/cookie-storage.js';
import { MemoryStore } from '../server/storage/memory-store.js';
import { Messages } from '../server/storage/messages.js';
import { serverStorage } from '../server/storage/server-storage.js';
import { cookieHeader } from './cookie-header.js';
import { measure } from './measure.js';

const secret = 'benchmark-secret-of-at-least-32-chars';

/**
 * Django's full cycle per flash: request 1 adds `count` messages and stores them; request 2
 * loads, consumes and stores (clears). Returns what request 2 read, so nothing is optimised out.
 */
async function cycle(storage: Storage, count: number, cookie: string): Promise<number> {
  const first = createCookieExchange(cookie, { secure: false });
  const adding = new Messages(storage.open(first));
  for (let i = 0; i < count; i += 1) adding.success(`Task ${i} saved.`);
  await adding.update();
  const second = createCookieExchange(cookieHeader(first.setCookieHeaders()) || cookie, {
    secure: false,
  });
  const reading = new Messages(storage.open(second));
  const read = await reading.consume();
  await reading.update();
  return read.length;
}

/** The same two requests' plumbing with no messages work: parse a Cookie header, collect none. */
function baseline(cookie: string): number {
  const first = createCookieExchange(cookie, { secure: false });
  const second = createCookieExchange(cookie, { secure: false });
  return (first.cookie('messages')?.length ?? 0) + second.setCookieHeaders().length;
}

export interface StorageFigure {
  readonly name: string;
  readonly microseconds: number;
}

/** Runs the storage cycle benchmark and returns microseconds per cycle for each case. */
export async function benchStorage(): Promise<StorageFigure[]> {
  const cookies = cookieStorage({ secret });
  const memory = serverStorage({ secret, store: new MemoryStore() });
  // The memory store's browser already holds a session cookie, as after its first message.
  const session = createCookieExchange('', { secure: false });
  const opened = new Messages(memory.open(session));
  opened.info('start');
  await opened.update();
  await new Messages(memory.open(session)).consume();
  const sessionCookie = cookieHeader(session.setCookieHeaders());

  const cases: Array<[string, () => unknown]> = [
    ['baseline: two requests, no messages', () => baseline(sessionCookie)],
    ['cookie, N = 1', () => cycle(cookies, 1, '')],
    ['cookie, N = 10', () => cycle(cookies, 10, '')],
    ['memory store, N = 1', () => cycle(memory, 1, sessionCookie)],
    ['memory store, N = 10', () => cycle(memory, 10, sessionCookie)],
  ];
  const figures: StorageFigure[] = [];
  for (const [name, work] of cases) figures.push({ name, microseconds: await measure(work) });
  return figures;
}
