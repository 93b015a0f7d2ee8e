import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { onCI } from '../fixtures/ci.js';
import { CHROMIUM_PATH, chromiumInstalled, MISSING_CHROMIUM } from './chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder holding the demo's page as build-demo.ts built it for this run. */
    demoPage: string;
  }
}

/**
 * The browser tests' global setup: builds the demo's page once per run into a folder of the run's
 * own (so concurrent runs and `npm start`, which build into demo/dist, cannot clobber it) and
 * removes it after. Without Chromium it fails the run on CI and skips the build elsewhere (the
 * suites then skip themselves, see demo-fixture.ts).
 */
export default async function buildDemo(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  if (!chromiumInstalled) {
    if (onCI()) throw new Error(`trpc-messages browser tests: ${MISSING_CHROMIUM} (CI is set).`);
    console.warn(
      [
        '',
        '!'.repeat(78),
        `!! Browser tests SKIPPED: ${CHROMIUM_PATH} is missing.`,
        '!! Install Chromium to run them: apt-get install chromium',
        '!! (With CI=true or CI=1 a missing Chromium fails the run.)',
        '!'.repeat(78),
        '',
      ].join('\n'),
    );
    return undefined;
  }
  const outDir = await mkdtemp(join(tmpdir(), 'trpc-messages-demo-'));
  await build({
    configFile: fileURLToPath(new URL('../../demo/vite.config.ts', import.meta.url)),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  project.provide('demoPage', outDir);
  return () => rm(outDir, { recursive: true, force: true });
}
