import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CookieJar } from '../../fixtures/cookie-jar.js';
import { codeBlockStartingWith } from '../../fixtures/markdown-code.js';
import { startRedisServer } from '../../fixtures/redis-server.js';
import { browserFetch } from '../../fixtures/trpc-client.js';

// docs/redis.md's Redis set-up, run as written, in a process of its own: an unhandled 'error'
// event ends a process, which vitest would hide or misreport in its own.

const redis = await startRedisServer();
afterAll(() => redis?.stop());

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The first line of docs/redis.md's set-up for each client library. */
const firstLines = { ioredis: '// ioredis (6)', 'node-redis': '// node-redis' } as const;

/**
 * docs/redis.md's set-up for `library`, as the page shows it, the package's import pointing at
 * this checkout.
 */
function docSnippet(library: 'ioredis' | 'node-redis'): string {
  const { code } = codeBlockStartingWith(`${root}docs/redis.md`, firstLines[library]);
  const server = pathToFileURL(`${root}server/index.ts`).href;
  return code.replaceAll("'trpc-messages/server'", `'${server}'`);
}

// What the app around the snippet does: a mutation that flashes its input, the kit's router, the
// standalone adapter on a free port; it prints its port, and each attempt of the client to
// reconnect (a 'reconnecting' listener, not an 'error' one), for the test to wait on.
const APP = `
import { initTRPC } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
client.on('reconnecting', () => console.log('reconnecting'));
const t = initTRPC.context().create();
const procedure = t.procedure.use(messages.persist);
const router = t.router({
  messages: messages.router,
  save: procedure.input((text) => String(text)).mutation(({ ctx, input }) => {
    ctx.messages.success(input);
    return input;
  }),
});
const server = createHTTPServer({
  router,
  createContext: (opts) => ({ messages: messages.fromRequest(opts) }),
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

/** A running app of docs/redis.md's snippet: what it printed so far, and its origin. */
interface SnippetApp {
  readonly child: ChildProcess;
  readonly origin: string;
  /** Its standard output, then its standard error, so far. */
  output(): { stdout: string; stderr: string };
}

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
});

/** Runs docs/redis.md's snippet for `library` with the app around it; resolves once it listens. */
async function startSnippetApp(library: 'ioredis' | 'node-redis'): Promise<SnippetApp> {
  if (!redis) throw new Error('no redis-server');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', docSnippet(library) + APP],
    {
      cwd: root,
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        MESSAGES_SECRET: 'snippet-secret-0123456789abcdef',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (data) => (stdout += data));
  child.stderr?.on('data', (data) => (stderr += data));
  const output = () => ({ stdout, stderr });
  await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the app exited:\n${stderr}`);
      expect(stdout).toMatch(/^listening \d+$/m);
    },
    { timeout: 20_000, interval: 20 },
  );
  const port = /^listening (\d+)$/m.exec(stdout)?.[1];
  return { child, origin: `http://127.0.0.1:${port}`, output };
}

const result = z.object({ result: z.object({ data: z.unknown() }) });
const consumed = z.object({ messages: z.array(z.object({ message: z.string() })) });

/** One browser's calls to the app, as httpLink sends them: the status, and the data on a 200. */
function browser(origin: string) {
  const fetchWithCookies = browserFetch(new CookieJar());
  const call = async (path: string, init?: RequestInit) => {
    const response = await fetchWithCookies(`${origin}/${path}`, init);
    const body: unknown = await response.json();
    return {
      status: response.status,
      data: response.status === 200 ? result.parse(body).result.data : body,
    };
  };
  return {
    save: (text: string) =>
      call('save', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(text),
      }),
    async consume() {
      const { status, data } = await call('messages.consume');
      return {
        status,
        texts: status === 200 ? consumed.parse(data).messages.map((m) => m.message) : [],
      };
    },
  };
}

/**
 * Resolves once `assertion` passes; fails at once, with what the app printed, if it exits first.
 */
async function whileAlive(app: SnippetApp, assertion: () => void): Promise<void> {
  const exited = once(app.child, 'exit').then(() => {
    throw new Error(`the app exited:\n${app.output().stderr}`);
  });
  const passed = vi.waitFor(assertion, { timeout: 20_000, interval: 20 });
  try {
    await Promise.race([passed, exited]);
  } finally {
    // The race's loser settles later: neither may go unhandled.
    passed.catch(() => {});
    exited.catch(() => {});
  }
}

/** How many times `text` occurs in `output`. */
const occurrences = (output: string, text: string) => output.split(text).length - 1;

describe.skipIf(!redis).each(['ioredis', 'node-redis'] as const)(
  "docs/redis.md's Redis snippet for %s, run as written",
  (library) => {
    it('keeps the process alive when Redis goes away, answers every request 200 meanwhile, reports the outage once as it starts and once as it ends, and stores again once Redis is back', async () => {
      const app = await startSnippetApp(library);
      const user = browser(app.origin);
      expect(await user.save('Saved before.')).toEqual({ status: 200, data: 'Saved before.' });
      expect(await user.consume()).toEqual({ status: 200, texts: ['Saved before.'] });

      await redis?.kill();
      try {
        // The client retries on its own back-off: three attempts, all refused.
        await whileAlive(app, () =>
          expect(occurrences(app.output().stdout, 'reconnecting')).toBeGreaterThanOrEqual(3),
        );
        for (const text of ['Saved during, one.', 'Saved during, two.']) {
          expect(await user.save(text)).toEqual({ status: 200, data: text });
          expect(await user.consume()).toEqual({ status: 200, texts: [] });
        }
        expect(app.child.exitCode).toBeNull();
        expect(occurrences(app.output().stderr, 'lost the connection to Redis')).toBe(1);
      } finally {
        await redis?.restart();
      }

      await whileAlive(app, () =>
        expect(app.output().stderr).toContain('Redis was unreachable for'),
      );
      expect(await user.save('Saved after.')).toEqual({ status: 200, data: 'Saved after.' });
      expect(await user.consume()).toEqual({ status: 200, texts: ['Saved after.'] });
      const { stderr } = app.output();
      expect(occurrences(stderr, 'lost the connection to Redis')).toBe(1);
      expect(stderr).toMatch(
        /Redis was unreachable for \d+\.\d s \(\d+ connection errors\); it answers again/,
      );
      expect(occurrences(stderr, 'Redis was unreachable for')).toBe(1);
      expect(app.child.exitCode).toBeNull();
    });
  },
);
