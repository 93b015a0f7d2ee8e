import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Locator, Page, Request, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject } from 'vitest';
import { z } from 'zod';
import { type RunningDemo, startDemo } from '../../demo/server.js';
import { onCI } from '../fixtures/ci.js';
import { sessionIdOf } from '../fixtures/session-cookie.js';
import { SHOW_TIMEOUT } from '../fixtures/show-timeout.js';
import { chromiumInstalled, launchChromium } from './chromium.js';
import { recordToastsShown } from './toasts-shown.js';

/**
 * `describe` for suites that drive Chromium: skipped when it is missing (build-demo.ts says so
 * loudly), except on CI, where the run fails instead.
 */
export const describeInBrowser = describe.skipIf(!chromiumInstalled && !onCI());

/** The window every page opens with (the size of the README's screenshot). */
export const VIEWPORT = { width: 1100, height: 700 } as const;

/** How `openPage` opens its page. */
export interface PageOptions {
  /** The window's size (default: VIEWPORT). */
  readonly viewport?: { readonly width: number; readonly height: number };
}

/** How `openTabs` opens its tabs. */
export interface TabsOptions {
  /**
   * Only the tab in front has focus, as in a real browser (Playwright tells every page it has
   * focus unless told not to); `page.bringToFront()` moves it.
   */
  readonly realFocus?: boolean;
}

/** The demo served on a free loopback port, and a Chromium visiting it: one per test file. */
export interface DemoInBrowser {
  /** The demo's origin, http://127.0.0.1:port. */
  readonly url: string;
  /** The demo's messages kit, to send as a job would. */
  readonly messages: RunningDemo['messages'];
  /** Opens the demo in a new browser context (a new cookie jar: a new user), settled. */
  openPage(options?: PageOptions): Promise<Page>;
  /** Opens the demo in `count` tabs of one new browser context (one user), each settled. */
  openTabs(count: number, options?: TabsOptions): Promise<Page[]>;
}

/**
 * Starts the demo and Chromium before the file's tests and stops them after; closes each test's
 * browser contexts after it. The demo serves the page build-demo.ts built for this run.
 */
export function useDemoInBrowser(): DemoInBrowser {
  let demo: RunningDemo | undefined;
  let browser: Browser | undefined;
  let url = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    demo = await startDemo({ port: 0, host: '127.0.0.1', pageDir: inject('demoPage') });
    // IPv4 loopback, not startDemo's `localhost` url, which may resolve to ::1 first.
    const { port } = demo.server.address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  const newContext = async (viewport: PageOptions['viewport'] = VIEWPORT) => {
    if (!browser) throw new Error('useDemoInBrowser: open pages inside a test');
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    context.setDefaultTimeout(SHOW_TIMEOUT);
    return context;
  };
  const openIn = async (context: BrowserContext, options: TabsOptions = {}) => {
    const page = await context.newPage();
    trackRequests(page);
    await recordToastsShown(page);
    // Settled once the on-mount consume (batched with the task list) has answered.
    const consumed = nextAnswer(page, 'messages.consume');
    await page.goto(url, { waitUntil: 'load' });
    await consumed;
    if (options.realFocus) {
      // Playwright sets its focus emulation as a page loads: only then can it be undone.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
    }
    return page;
  };

  return {
    get url() {
      return url;
    },
    get messages() {
      if (!demo) throw new Error('useDemoInBrowser: the demo starts in beforeAll');
      return demo.messages;
    },
    async openPage(options = {}) {
      return openIn(await newContext(options.viewport));
    },
    async openTabs(count, options = {}) {
      const context = await newContext();
      const pages: Page[] = [];
      for (let i = 0; i < count; i += 1) pages.push(await openIn(context, options));
      return pages;
    },
  };
}

/** Every toast on the page (hidden ones past sonner's visible cap included). */
export function toasts(page: Page): Locator {
  return page.locator('li[data-sonner-toast]');
}

/** The toasts whose text contains `text`. */
export function toastsWith(page: Page, text: string): Locator {
  return toasts(page).filter({ hasText: text });
}

/**
 * Keeps the toasts on screen: rests the pointer on the newest toast, which holds every toast's
 * timer (sonner pauses them while the pointer is over the toasts, as for a reader). New toasts
 * come in where the pointer is, so it stays over them; act with the keyboard from then on, as a
 * click moves the pointer away.
 */
export async function holdToasts(page: Page): Promise<void> {
  await toasts(page).first().hover();
}

/** The titles on the page's task list, newest first, once the list has loaded. */
export async function taskTitles(page: Page): Promise<string[]> {
  await page.locator('.task-list[aria-busy="false"]').waitFor();
  return page.locator('.tasks .title').allTextContents();
}

/** The class names of a toast (its message's tags among them). */
export async function classesOf(toast: Locator): Promise<string[]> {
  return (await toast.getAttribute('class'))?.split(/\s+/) ?? [];
}

/** Waits until `locator` matches exactly `count` elements. */
export async function expectCount(locator: Locator, count: number): Promise<void> {
  await expect.poll(() => locator.count()).toBe(count);
}

const createAnswer = z.union([
  z.object({ result: z.object({ data: z.object({ id: z.number() }) }) }),
  z.object({ error: z.unknown() }),
]);

/**
 * Types `title` into the new-task field and submits it with Enter; resolves when the server has
 * answered and the page has taken the answer, with the new task's id (undefined when the title
 * was refused). The link may batch the create with a mutation clicked just before (Chromium runs
 * input before the batch's timer).
 */
export async function addTask(page: Page, title: string): Promise<number | undefined> {
  const field = page.getByLabel('New task');
  await field.fill(title);
  const [response] = await Promise.all([nextAnswer(page, 'create'), field.press('Enter')]);
  const answers = z.array(z.unknown()).parse(await response.json());
  const answer = createAnswer.parse(answers[procedures(response).indexOf('create')]);
  if (!('result' in answer)) return undefined;
  // The page empties the field once it has taken the answer: typing the next title before
  // that would have it emptied.
  await expect.poll(() => field.inputValue()).toBe('');
  return answer.result.data.id;
}

/** The procedures a (batched) call answered, in the order of its answers. */
function procedures(response: Response): string[] {
  const { pathname } = new URL(response.url());
  return pathname.startsWith('/trpc/') ? pathname.slice('/trpc/'.length).split(',') : [];
}

/** Waits for the answer to the next call of `procedure` (e.g. 'messages.consume'). */
export function nextAnswer(page: Page, procedure: string): Promise<Response> {
  return page.waitForResponse((response) => procedures(response).includes(procedure));
}

interface RequestTracker {
  inFlight: number;
  lastChange: number;
  /** Live streams (messages.live) the page holds open now. */
  liveStreams: number;
}

const trackers = new WeakMap<Page, RequestTracker>();

function trackRequests(page: Page): void {
  const tracker = { inFlight: 0, lastChange: Date.now(), liveStreams: 0 };
  trackers.set(page, tracker);
  // A live stream (server-sent events) stays open as long as its tab leads: it is not traffic.
  const change = (delta: number) => (request: Request) => {
    if (new URL(request.url()).pathname === '/trpc/messages.live') {
      tracker.liveStreams += delta;
      return;
    }
    tracker.inFlight += delta;
    tracker.lastChange = Date.now();
  };
  page.on('request', change(1));
  page.on('requestfinished', change(-1));
  page.on('requestfailed', change(-1));
}

/** Whom `page`'s browser's messages are kept for: the session its cookie names. */
export async function recipientOf(page: Page): Promise<{ sessionId: string }> {
  const cookies = await page.context().cookies();
  const session = cookies.find((cookie) => cookie.name === 'messages_session')?.value;
  if (!session) throw new Error('the browser has no messages session yet');
  return { sessionId: sessionIdOf(session) };
}

/** The live streams (messages.live) `page` holds open now. */
export function openLiveStreams(page: Page): number {
  const tracker = trackers.get(page);
  if (!tracker) throw new Error('openLiveStreams: open the page with openPage()');
  return tracker.liveStreams;
}

/**
 * Resolves once the page has had no request in flight for `quietMs`: every mutation, and the
 * consume it triggers, has answered and been rendered. Asserting that something does NOT show
 * needs such a window; nothing in the page signals "no more messages are coming".
 */
export async function networkQuiet(page: Page, quietMs = 300): Promise<void> {
  const tracker = trackers.get(page);
  if (!tracker) throw new Error('networkQuiet: open the page with openPage()');
  await expect
    .poll(() => tracker.inFlight === 0 && Date.now() - tracker.lastChange >= quietMs, {
      interval: 50,
    })
    .toBe(true);
}
