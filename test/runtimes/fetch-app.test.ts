// One fetch-adapter app (app/), bundled once per run for every runtime (harness/runtimes.ts),
// each runtime × storage served by a process of its own on a free port and driven over HTTP by
// the real tRPC client: `npx vitest run --project runtimes`. A table of the runtimes, their
// versions and times to ready is printed at the end.
// messagesLink needs a browser tab: a DOM, with Node's own fetch kept (see the fixture).
import '../fixtures/dom.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messagesFor } from '../../client/trpc/messages-for.js';
import { messagesLink } from '../../client/trpc/messages-link.js';
import { onCI } from '../fixtures/ci.js';
import { CookieJar } from '../fixtures/cookie-jar.js';
import { type RedisServer, startRedisServer } from '../fixtures/redis-server.js';
import { texts } from '../fixtures/texts.js';
import { browserFetch } from '../fixtures/trpc-client.js';
import { failOnUnhandledRejections } from '../fixtures/unhandled-rejections.js';
import type { FetchAppRouter } from './app/fetch-app.js';
import type { StorageName } from './app/storages.js';
import { type AppBundles, bundleApps } from './harness/bundle-apps.js';
import { type RuntimeProcess, startRuntimeProcess } from './harness/runtime-process.js';
import { printRuntimeTable, RuntimeRecords } from './harness/runtime-table.js';
import { type Runtime, runtimes } from './harness/runtimes.js';

failOnUnhandledRejections();

// How a user provides it: MESSAGES_SECRET in the environment, a binding on workerd.
const secret = 'runtimes-test-secret-0123456789abcdef';

/** One runtime serving the app over one storage: a process of its own. */
interface Run {
  readonly runtime: Runtime;
  readonly storage: StorageName;
}

const available = runtimes.filter((runtime) => runtime.missing === undefined);
const runs: Run[] = available.flatMap((runtime) =>
  runtime.storages.map((storage) => ({ runtime, storage })),
);
const records = new RuntimeRecords(runtimes);
const work = mkdtempSync(join(tmpdir(), 'trpc-messages-runtimes-'));
let redis: RedisServer | undefined;
// Each run's processes, started once for the whole suite: two instances of the cookie storage's
// app (one reads what the other signed), one of the others'.
const processes = new Map<Run, Promise<RuntimeProcess>[]>();

beforeAll(async () => {
  const bundles: AppBundles = await bundleApps(work);
  if (runs.some((run) => run.storage === 'redis')) redis = await startRedisServer();
  // One at a time, before any test: a runtime starting beside others, or beside tests, would
  // measure the crowd in its time to ready, not itself.
  for (const run of runs) {
    if (run.storage === 'redis' && !redis) continue;
    const { runtime, storage } = run;
    const cwd = mkdtempSync(join(work, 'run-'));
    const prefix = `trpc-messages-runtimes:${runtime.name}:`;
    const launch = runtime.launch({
      bundles,
      storage,
      secret,
      cwd,
      redis: redis && { url: redis.url, prefix },
    });
    const instances: Promise<RuntimeProcess>[] = [];
    processes.set(run, instances);
    for (let i = storage === 'cookie' ? 2 : 1; i > 0; i--) {
      const started = startRuntimeProcess(launch);
      instances.push(started);
      // A failed start fails that run's tests (in its beforeAll), not the suite.
      await started.then(
        (running) => records.ready(runtime, running.readyMs),
        () => {},
      );
    }
  }
});

afterAll(async () => {
  const stopping = [...processes.values()].flat().map((started) =>
    started.then(
      (running) => running.stop(),
      () => {},
    ),
  );
  await Promise.all(stopping);
  await redis?.stop();
  rmSync(work, { recursive: true, force: true });
  printRuntimeTable(records);
});

for (const runtime of runtimes) {
  if (runtime.missing === undefined) continue;
  if (onCI()) {
    describe(`the app on ${runtime.name}`, () => {
      it('is installed, as CI requires of every runtime', () => {
        throw new Error(`trpc-messages tests: ${runtime.missing}`);
      });
    });
  } else {
    console.warn(
      `\n!!! trpc-messages tests: ${runtime.missing}. SKIPPING the app on ${runtime.name}. !!!\n`,
    );
  }
}

/** A browser's client without the kit's link: a cookie jar, the real tRPC client. */
function plainBrowser(url: string, jar = new CookieJar()) {
  const client = createTRPCClient<FetchAppRouter>({
    links: [httpBatchLink({ url, fetch: browserFetch(jar) })],
  });
  return { client, jar };
}

/**
 * A browser tab's client with the kit's messagesLink, as a page has it: the list the Toaster
 * would show, and the URL of every request it made.
 */
function linkedBrowser(url: string) {
  const jar = new CookieJar();
  const requests: string[] = [];
  const client = createTRPCClient<FetchAppRouter>({
    links: [messagesLink(httpBatchLink, { url, fetch: browserFetch(jar, requests) })],
  });
  return { client, jar, requests, list: messagesFor(client).list };
}

/** Changes one character of every cookie the jar holds, as a visitor forging them would. */
function tamperWithCookies(jar: CookieJar): void {
  const names = (jar.header() ?? '').split('; ').map((pair) => pair.split('=')[0] ?? '');
  for (const name of names) {
    const value = jar.get(name) ?? '';
    jar.set(name, `${value[0]}${value[1] === 'A' ? 'B' : 'A'}${value.slice(2)}`);
  }
}

describe.each(runs)('the app on $runtime.name with the $storage storage', (run) => {
  const { runtime, storage } = run;
  let url: string;
  // The cookie storage's second instance, with the same MESSAGES_SECRET.
  let otherUrl: string;
  let running: RuntimeProcess[] = [];

  beforeAll(async () => {
    const instances = processes.get(run);
    if (!instances) return; // no redis-server here: the tests skip
    running = await Promise.all(instances);
    const [first, other = first] = running.map((instance) => `${instance.origin}/trpc`);
    if (first === undefined) throw new Error(`no instance of ${runtime.name} started`);
    url = first;
    otherUrl = other ?? first;
  });

  beforeEach((context) => {
    if (url === undefined) {
      records.skipped(runtime, storage);
      context.skip('redis-server is not installed');
    }
    context.onTestFailed(() => {
      records.failed(runtime, storage);
      // What the runtime said: a server error's stack is there, not in the client's error.
      for (const instance of running) {
        console.error(`${runtime.name} (${storage}) at ${instance.origin}:\n${instance.output()}`);
      }
    });
    context.onTestFinished(() => records.ran(runtime, storage));
  });

  it('delivers a mutation’s message on the mutation’s own response, through messagesLink', async () => {
    const tab = linkedBrowser(url);
    await tab.client.save.mutate({ title: 'Report' });

    expect(texts(tab.list.getSnapshot())).toEqual(['“Report” saved.']);
    expect(tab.requests).toHaveLength(1);
  });

  it('hands a shown message out again until the tab acknowledges it, then never', async () => {
    const tab = linkedBrowser(url);
    await tab.client.save.mutate({ title: 'Report' });
    const [shown] = tab.list.getSnapshot();
    expect(texts(await tab.client.messages.consume.query())).toEqual(['“Report” saved.']);

    // What the Toaster reports once the toast is in the DOM; the next request acknowledges it.
    tab.list.shown(shown ? [shown.id] : []);
    await tab.client.ping.query();
    expect((await tab.client.messages.consume.query()).messages).toEqual([]);
  });

  it('hands a message to messages.consume without the link, once', async () => {
    const browser = plainBrowser(url);
    await browser.client.save.mutate({ title: 'Invoice' });

    expect(texts(await browser.client.messages.consume.query())).toEqual(['“Invoice” saved.']);
    expect((await browser.client.messages.consume.query()).messages).toEqual([]);
  });

  it('keeps the messages of two visitors apart', async () => {
    const one = plainBrowser(url);
    const two = plainBrowser(url);
    await one.client.save.mutate({ title: 'One' });
    await two.client.save.mutate({ title: 'Two' });

    expect(texts(await two.client.messages.consume.query())).toEqual(['“Two” saved.']);
    expect(texts(await one.client.messages.consume.query())).toEqual(['“One” saved.']);
  });

  it('answers a visitor whose cookies were tampered with: no messages, no error, a fresh start', async () => {
    const browser = plainBrowser(url);
    await browser.client.save.mutate({ title: 'Forged' });
    expect(browser.jar.header()).toBeDefined();
    tamperWithCookies(browser.jar);

    expect((await browser.client.messages.consume.query()).messages).toEqual([]);
    await browser.client.save.mutate({ title: 'Again' });
    expect(texts(await browser.client.messages.consume.query())).toEqual(['“Again” saved.']);
  });

  if (storage === 'cookie') {
    it('reads the cookie another instance signed: both take the secret from their environment', async () => {
      const jar = new CookieJar();
      await plainBrowser(url, jar).client.save.mutate({ title: 'Elsewhere' });

      const other = plainBrowser(otherUrl, jar);
      expect(texts(await other.client.messages.consume.query())).toEqual(['“Elsewhere” saved.']);
    });
  }
});
