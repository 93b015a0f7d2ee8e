import { createCookieExchange } from '../server/http/cookie-exchange.js';
import { Messages } from '../server/messages/messages.js';
import type { Storage } from '../server/storage/backend.js';
import { cookieStorage } from '../server/storage/cookie/cookie-storage.js';
import { serverStorage } from '../server/storage/server-storage.js';
import { MemoryStore } from '../server/stores/memory/memory-store.js';
import { cookieHeader } from './cookie-header.js';
import { type Django, type DjangoStorage, findPython, startDjango } from './django.js';
import { measureRound, median, type RoundTime } from './measure.js';
import { canPin, LOAD_CORES, pin, pinned } from './pinning.js';

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
  storage: Storage,
  count: number,
  cookie: string,
  reader: Storage = storage,
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
function baseline(cookie: string): number {
  const first = createCookieExchange(cookie, { secure: false });
  const second = createCookieExchange(cookie, { secure: false });
  return (first.cookie('messages')?.length ?? 0) + second.setCookieHeaders().length;
}

export interface StorageFigure {
  readonly name: string;
  /** Ours: the median round's microseconds per cycle, in wall time and in CPU time. */
  readonly microseconds: number;
  readonly cpuMicroseconds: number;
  /** Django's storage doing the same cycle, paired round by round; undefined without Django. */
  readonly django?: {
    readonly storage: DjangoStorage;
    readonly microseconds: number;
    readonly cpuMicroseconds: number;
    /**
     * Django's CPU time over ours: the median of the rounds' paired ratios, and their spread
     * (CPU time, not wall time: on a shared machine either side may wait for the core).
     */
    readonly times: number;
    readonly spread: readonly [number, number];
    /** The same by wall time. */
    readonly wallTimes: number;
  };
}

/** What the storage benchmark measured, and against which Django (if any was found). */
export interface StorageBench {
  readonly figures: StorageFigure[];
  readonly django: Django['version'] | undefined;
}

// Each of our rounds runs this many cycles; Django's, as many as take about as long as ours.
const ITERATIONS = 20_000;
const DJANGO_ROUND_SECONDS = 0.15;

/**
 * Runs the storage cycle benchmark: each case in BENCH_STORAGE_ROUNDS rounds (default 15), and
 * right after each of its rounds, Django's storage doing the same cycle in its own process on the
 * same core, so that both sides of a ratio see the same spell of a shared machine.
 */
export async function benchStorage(): Promise<StorageBench> {
  const rounds = positive('BENCH_STORAGE_ROUNDS', 15);
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

  const python = findPython({ install: true });
  if (!python) {
    console.warn(
      '\nbench: no python3 with Django (and apt-get could not install python3-django): the ' +
        'Django cases are SKIPPED; set BENCH_PYTHON to a python3 that has Django.\n',
    );
  }
  // This process and Django's on one core, taking turns.
  const pinning = canPin();
  if (pinning) pin(process.pid, LOAD_CORES);
  const django = python ? await startDjango(python, pinned([], LOAD_CORES, pinning)) : undefined;

  const cases: Array<[string, () => unknown, DjangoStorage?, number?]> = [
    ['baseline: two requests, no messages', () => baseline(sessionCookie)],
    ['cookie, N = 1', () => cycle(cookies, 1, ''), 'cookie', 1],
    // Read back by another instance (another process behind a load balancer), which has not
    // seen the value before: its signature is verified, not remembered.
    [
      'cookie, N = 1, read by another instance',
      () => cycle(cookies, 1, '', otherCookies),
      'cookie',
      1,
    ],
    ['cookie, N = 10', () => cycle(cookies, 10, ''), 'cookie', 10],
    ['memory store, N = 1', () => cycle(memory, 1, sessionCookie), 'session', 1],
    ['memory store, N = 10', () => cycle(memory, 10, sessionCookie), 'session', 10],
  ];
  const figures: StorageFigure[] = [];
  try {
    for (const [name, work, peer, count = 0] of cases) {
      await measureRound(work, ITERATIONS); // warm up: let the JIT settle
      let peerIterations = 0;
      if (django && peer) {
        const { read, cleared } = await django.check(peer, count);
        if (read.length !== count || !cleared) {
          throw new Error(`bench: Django's ${peer} cycle read ${read.length} of ${count}`);
        }
        const guess = await django.round(peer, count, 200);
        peerIterations = Math.max(
          50,
          Math.round((DJANGO_ROUND_SECONDS * 1e6) / guess.microseconds),
        );
      }
      const ours: RoundTime[] = [];
      const theirs: RoundTime[] = [];
      for (let round = 0; round < rounds; round += 1) {
        ours.push(await measureRound(work, ITERATIONS));
        if (django && peer) theirs.push(await django.round(peer, count, peerIterations));
      }
      const ratios = theirs.map(
        (t, i) => t.cpuMicroseconds / (ours[i] as RoundTime).cpuMicroseconds,
      );
      const wallRatios = theirs.map((t, i) => t.microseconds / (ours[i] as RoundTime).microseconds);
      figures.push({
        name,
        microseconds: median(ours.map((t) => t.microseconds)),
        cpuMicroseconds: median(ours.map((t) => t.cpuMicroseconds)),
        ...(peer && ratios.length > 0
          ? {
              django: {
                storage: peer,
                microseconds: median(theirs.map((t) => t.microseconds)),
                cpuMicroseconds: median(theirs.map((t) => t.cpuMicroseconds)),
                times: median(ratios),
                spread: [Math.min(...ratios), Math.max(...ratios)] as const,
                wallTimes: median(wallRatios),
              },
            }
          : {}),
      });
    }
  } finally {
    await django?.close();
  }
  return { figures, django: django?.version };
}

/** A positive integer from the environment variable `name`, or `fallback`. */
export function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`bench: ${name} must be a positive integer, got ${raw}`);
  }
  return value;
}
