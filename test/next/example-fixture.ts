import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { chromiumInstalled, launchChromium } from '../browser/chromium.js';
import { recordToastsShown, timesShown } from '../browser/toasts-shown.js';
import { onCI } from '../fixtures/ci.js';
import { SHOW_TIMEOUT } from '../fixtures/show-timeout.js';
import { type RunningNext, startNext } from './next-app.js';

/** `describe` for suites that drive Chromium: skipped when it is missing, except on CI. */
export const describeInBrowser = describe.skipIf(!chromiumInstalled && !onCI());

/** The example served by next, and a Chromium visiting it: one per test file. */
export interface ExampleInBrowser {
  /** The app's origin. */
  readonly url: string;
  /** The running next. */
  readonly next: () => RunningNext;
  /** A new visitor (a browser context of its own: its own cookies). */
  newVisitor(): Promise<BrowserContext>;
  /** Opens `path` in a new page of `visitor` (default: a new one), settled: see `settled`. */
  openPage(path?: string, visitor?: BrowserContext): Promise<Page>;
}

/** The tRPC calls a page made (their procedure paths, in order), as the test watches them. */
const callsOf = new WeakMap<Page, string[]>();

/** Every tRPC procedure `page` called since it opened (batched calls one each). */
export function trpcCalls(page: Page): readonly string[] {
  return callsOf.get(page) ?? [];
}

/** Starts next (`mode`) and Chromium before the file's tests and stops them after. */
export function useExampleInBrowser(
  mode: 'start' | 'dev',
  env: NodeJS.ProcessEnv = {},
): ExampleInBrowser {
  let running: RunningNext | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [running, browser] = await Promise.all([startNext(mode, env), launchChromium()]);
    // next dev compiles each route on its first request: compile them before the tests.
    if (mode === 'dev') {
      for (const path of ['/', '/tasks', '/api/trpc/messages.consume']) {
        await (await fetch(running.url + path)).text();
      }
    }
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const next = () => {
    if (!running) throw new Error('useExampleInBrowser: next is not running');
    return running;
  };
  const newVisitor = async () => {
    if (!browser) throw new Error('useExampleInBrowser: open pages inside a test');
    const context = await browser.newContext();
    context.setDefaultTimeout(SHOW_TIMEOUT);
    contexts.push(context);
    return context;
  };
  return {
    get url() {
      return next().url;
    },
    next,
    newVisitor,
    async openPage(path = '/', visitor?: BrowserContext) {
      const context = visitor ?? (await newVisitor());
      const page = await context.newPage();
      await recordToastsShown(page);
      const calls: string[] = [];
      callsOf.set(page, calls);
      page.on('request', (request) => {
        const { pathname } = new URL(request.url());
        if (pathname.startsWith('/api/trpc/')) calls.push(...pathname.slice(10).split(','));
      });
      const consumed = consumeAnswered(page);
      await page.goto(next().url + path);
      await consumed;
      return page;
    },
  };
}

/** Resolves with the messages of the next `messages.consume` answer `page` receives. */
export async function consumeAnswered(page: Page): Promise<unknown[]> {
  const response = await page.waitForResponse(
    (r) =>
      new URL(r.url()).pathname.startsWith('/api/trpc/') && r.url().includes('messages.consume'),
  );
  const body: unknown = await response.json();
  const answers = Array.isArray(body) ? body : [body];
  // The consume's answer among the batch's: the one with a messages list.
  for (const answer of answers) {
    const data = (answer as { result?: { data?: { messages?: unknown[] } } }).result?.data;
    if (data?.messages) return data.messages;
  }
  return [];
}

/** The toasts on `page` that show `text`. */
export function toast(page: Page, text: string): Locator {
  return page.locator('[data-sonner-toast]', { hasText: text });
}

/**
 * Waits until `page` has shown the message of a Server Action run now (Call Alice): anything the
 * page was going to show from before (its first paint, its consumes) has shown by then. What a
 * check that something did NOT show waits for; `page` must have hydrated (its first consume
 * answered).
 */
export async function sentinelShown(page: Page): Promise<void> {
  const sentinel = 'Task "Call Alice" created.';
  const before = await timesShown(page, sentinel);
  await page.getByRole('button', { name: 'Create (Server Action)' }).click();
  await expect.poll(() => timesShown(page, sentinel)).toBeGreaterThan(before);
}

/** Stores a message for `page`'s visitor the way another device or a job would (not shown now). */
export async function messageWaiting(page: Page, title: string): Promise<void> {
  const status = await page.evaluate(
    async (input) => {
      const response = await fetch('/api/trpc/tasks.create', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      return response.status;
    },
    { title },
  );
  if (status !== 200) throw new Error(`tasks.create answered ${status}`);
}
