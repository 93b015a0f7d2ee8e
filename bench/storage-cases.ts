/**
 * The cases of the storage cycle, built from the kit: the bench bundles this file a second time
 * against an earlier version of the kit (BENCH_BASELINE), so that both sides run this same code.
 */
// The public entry alone: a baseline of another layout (BENCH_BASELINE) has it too.
import {
  cookieStorage,
  createCookieExchange,
  MemoryStore,
  Messages,
  serverStorage,
} from '../server/index.js';
import { cookieHeader } from './cookie-header.js';
import type { DjangoStorage } from './django.js';

// A storage of the kit, named by what makes one: the bench imports no type by name, so a
// baseline of any version (BENCH_BASELINE) bundles with it.
type KitStorage = ReturnType<typeof serverStorage>;

const secret = 'benchmark-secret-of-at-least-32-chars';

/**
 * Django's full cycle per flash: request 1 adds `count` messages and stores them; request 2
 * loads, consumes and stores (clears). Returns what request 2 read and the Set-Cookie headers of
 * its response, so nothing is optimised out.
 *
 * Both sides (this one and bench/django-cycle.py) do a real request's cookie plumbing, since
 * each framework pays for it on every request: the request's cookies are parsed from its Cookie
 * header (here createCookieExchange; Django's parse_cookie, as its WSGIRequest does), each
 * response's Set-Cookie headers are serialized (here setCookieHeaders; Django's Morsel.output,
 * as its WSGIHandler does), and the browser's next Cookie header is the name=value of each
 * Set-Cookie header (cookieHeader here, the same few string operations there).
 */
async function cycle(
  storage: KitStorage,
  count: number,
  cookie: string,
  reader: KitStorage = storage,
): Promise<number> {
  const first = createCookieExchange(cookie, { secure: false });
  const adding = new Messages(storage.open(first));
  for (let i = 0; i < count; i += 1) adding.success(`Task ${i} saved.`);
  await adding.update();
  const second = createCookieExchange(cookieHeader(first.setCookieHeaders()) || cookie, {
    secure: false,
  });
  const reading = new Messages(reader.open(second));
  const read = await reading.consume();
  await reading.update();
  return read.length + second.setCookieHeaders().length;
}

/** The same two requests' plumbing with no messages work: parse a Cookie header, collect none. */
function floor(cookie: string): number {
  const first = createCookieExchange(cookie, { secure: false });
  const second = createCookieExchange(cookie, { secure: false });
  return (first.cookie('messages')?.length ?? 0) + second.setCookieHeaders().length;
}

/** One case of the storage cycle. */
export interface StorageCase {
  readonly name: string;
  /** One cycle. */
  readonly work: () => unknown;
  /** Django's storage doing the same cycle, and the messages it adds; none for the floor. */
  readonly django?: DjangoStorage;
  readonly count: number;
}

/** The storage cycle's cases, each on storages of its own. */
export async function storageCases(): Promise<StorageCase[]> {
  const cookies = cookieStorage({ secret });
  const otherCookies = cookieStorage({ secret });
  const memory = serverStorage({ secret, store: new MemoryStore() });
  // The memory store's browser already holds a session cookie, as after its first message.
  const session = createCookieExchange('', { secure: false });
  const opened = new Messages(memory.open(session));
  opened.info('start');
  await opened.update();
  await new Messages(memory.open(session)).consume();
  const sessionCookie = cookieHeader(session.setCookieHeaders());

  return [
    { name: 'baseline: two requests, no messages', work: () => floor(sessionCookie), count: 0 },
    { name: 'cookie, N = 1', work: () => cycle(cookies, 1, ''), django: 'cookie', count: 1 },
    // Read back by another instance (another process behind a load balancer), which has not
    // seen the value before: its signature is verified, not remembered.
    {
      name: 'cookie, N = 1, read by another instance',
      work: () => cycle(cookies, 1, '', otherCookies),
      django: 'cookie',
      count: 1,
    },
    { name: 'cookie, N = 10', work: () => cycle(cookies, 10, ''), django: 'cookie', count: 10 },
    {
      name: 'memory store, N = 1',
      work: () => cycle(memory, 1, sessionCookie),
      django: 'session',
      count: 1,
    },
    {
      name: 'memory store, N = 10',
      work: () => cycle(memory, 10, sessionCookie),
      django: 'session',
      count: 10,
    },
  ];
}
