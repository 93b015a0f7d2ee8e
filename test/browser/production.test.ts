import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { SHOW_TIMEOUT } from '../fixtures/show-timeout.js';
import { launchChromium } from './chromium.js';
import { describeInBrowser, taskTitles, toastsWith } from './demo-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What `npm start` runs once it has built the page: the last command of its script, so that the
 * test serves the demo exactly as the README's command does.
 */
function startCommand(): string {
  const { scripts } = z
    .object({ scripts: z.object({ start: z.string() }) })
    .parse(JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')));
  const serve = scripts.start.split('&&').at(-1)?.trim();
  if (!serve) throw new Error('package.json has no start script');
  return serve;
}

/** The demo served by `npm start`'s command in a process of its own, and what it printed. */
interface ServedDemo {
  readonly url: string;
  readonly output: () => string[];
  stop(): Promise<void>;
}

/**
 * Runs `npm start`'s serve command on a free port with the page build-demo.ts built for this
 * run (DEMO_PAGE_DIR), no MESSAGES_SECRET and no NODE_ENV of the test's. Under a watchdog: the
 * server goes once its stdin closes, as it does when the test process ends in any way.
 */
async function serveAsNpmStart(): Promise<ServedDemo> {
  const { MESSAGES_SECRET: _secret, NODE_ENV: _mode, ...environment } = process.env;
  const child: ChildProcess = spawn(
    'sh',
    ['-c', `${startCommand()} </dev/null & pid=$!; cat >/dev/null; kill "$pid"; wait "$pid"`],
    {
      cwd: ROOT,
      env: { ...environment, PORT: '0', DEMO_PAGE_DIR: inject('demoPage') },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const exited = once(child, 'exit');
  const lines: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      const port = lines.map((line) => /^trpc-messages demo: http:\/\/localhost:(\d+)/.exec(line));
      const found = port.find((match) => match !== null)?.[1];
      if (found) resolve(`http://127.0.0.1:${found}`);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    void exited.then(() => reject(new Error(`the demo exited:\n${lines.join('\n')}`)));
  });
  return {
    url,
    output: () => [...lines],
    async stop() {
      child.stdin?.end();
      await exited;
    },
  };
}

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
}

describeInBrowser('the demo as npm start serves it, in production mode', () => {
  let demo: ServedDemo | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    demo = await serveAsNpmStart();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });
  const served = () => {
    if (!demo) throw new Error('the demo starts in beforeAll');
    return demo;
  };

  it('answers a failing call with no stack and no path of the server’s files', async () => {
    const { url } = served();
    const post = (path: string, input: unknown) =>
      fetch(`${url}/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
    const failures = [
      await post('create', { title: '' }),
      await post('restore', { id: 1 }),
      await fetch(`${url}/trpc/no.such.procedure`),
    ];
    expect(failures.map((response) => response.status)).toEqual([400, 403, 404]);
    for (const response of failures) {
      const body = await response.text();
      expect(keysOf(JSON.parse(body))).not.toContain('stack');
      expect(body).not.toContain(ROOT);
      expect(body).not.toMatch(/node_modules|\.ts:\d+/);
    }
  });

  it('makes up a secret of its own when MESSAGES_SECRET is not set, says so once, and keeps each visitor’s session with it', async () => {
    const { url, output } = served();
    expect(output().filter((line) => line.includes('MESSAGES_SECRET'))).toEqual([
      expect.stringContaining('MESSAGES_SECRET is not set, so this run signs with a random secret'),
    ]);
    if (!browser) throw new Error('Chromium starts in beforeAll');
    const context = await browser.newContext();
    context.setDefaultTimeout(SHOW_TIMEOUT);
    try {
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      const field = page.getByLabel('New task');
      await field.fill('Served in production');
      await field.press('Enter');
      await toastsWith(page, 'Task "Served in production" created.').waitFor();
      // The session cookie (Secure, as in production) came back: the same board after a reload.
      await page.reload({ waitUntil: 'load' });
      expect(await taskTitles(page)).toEqual(['Served in production']);
    } finally {
      await context.close();
    }
  });
});
