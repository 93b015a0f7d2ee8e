import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { concurrentSaves, type FlowApp, flashOnce } from '../../bench/flash-flow.js';

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) child.disconnect();
});

/** One of the bench's servers, forked as http.bench.ts forks it: its origin. */
async function serve(app: FlowApp): Promise<string> {
  const script = ['server', 'redis', 'cookie'].includes(app) ? 'http-server' : 'peer-server';
  const child = fork(fileURLToPath(new URL(`../../bench/${script}.ts`, import.meta.url)), [app], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  started.push(child);
  const report = await new Promise<{ port: number }>((resolve) => child.once('message', resolve));
  return `http://127.0.0.1:${report.port}`;
}

describe("the bench's flash flow", () => {
  it.each(['server', 'cookie', 'express', 'fastify'] as const)(
    'on %s: a save flashes one message and the next request shows it',
    async (app) => {
      expect(await flashOnce(await serve(app), app)).toBe(1);
    },
  );

  it('counts every message of concurrent saves that trpc-messages keeps on the server', async () => {
    const saves = await concurrentSaves(await serve('server'), 'server', {
      rounds: 3,
      concurrent: 5,
    });
    expect(saves).toEqual({ saved: 15, delivered: 15 });
  });

  it('counts no more than were saved when the session is saved whole (express-session)', async () => {
    const saves = await concurrentSaves(await serve('express'), 'express', {
      rounds: 3,
      concurrent: 5,
    });
    expect(saves.saved).toBe(15);
    expect(saves.delivered).toBeGreaterThan(0);
    expect(saves.delivered).toBeLessThanOrEqual(15);
  });
});
