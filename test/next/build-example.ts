import { execFile } from 'node:child_process';
import { cp, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_PATH, chromiumInstalled, MISSING_CHROMIUM } from '../browser/chromium.js';
import { onCI } from '../fixtures/ci.js';
import { EXAMPLE_DIR, NEXT_BIN, nextEnvironment } from './next-app.js';
import { undoSourceEdit } from './source-edit.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE_DIR = `${EXAMPLE_DIR}/node_modules/trpc-messages`;

/**
 * The Next.js tests' global setup, once per run: compiles the library into the example's
 * node_modules/trpc-messages (its package.json and dist/, so the example imports it by name as an
 * app would, while next, react and @trpc resolve, one copy each, from the repository's
 * node_modules), then runs `next build` without MESSAGES_SECRET, as CI builds do. Without
 * Chromium it fails the run on CI and skips the build elsewhere (the suites then skip).
 */
export default async function buildExample(_project: TestProject): Promise<void> {
  if (!chromiumInstalled) {
    if (onCI()) throw new Error(`trpc-messages Next.js tests: ${MISSING_CHROMIUM} (CI is set).`);
    console.warn(
      [
        '',
        '!'.repeat(78),
        `!! Next.js tests SKIPPED: ${CHROMIUM_PATH} is missing.`,
        '!! Install Chromium to run them: apt-get install chromium',
        '!! (With CI=true or CI=1 a missing Chromium fails the run.)',
        '!'.repeat(78),
        '',
      ].join('\n'),
    );
    return;
  }
  // A run killed during the dev test left its edit of the example's source: take it out.
  await undoSourceEdit();
  await rm(PACKAGE_DIR, { recursive: true, force: true });
  await mkdir(PACKAGE_DIR, { recursive: true });
  await run('node', [
    `${ROOT}/node_modules/typescript/bin/tsc`,
    '-p',
    `${ROOT}/tsconfig.build.json`,
    '--outDir',
    `${PACKAGE_DIR}/dist`,
  ]);
  await cp(`${ROOT}/package.json`, `${PACKAGE_DIR}/package.json`);
  const started = Date.now();
  const { MESSAGES_SECRET: _none, ...env } = nextEnvironment();
  try {
    await run(NEXT_BIN, ['build'], { cwd: EXAMPLE_DIR, env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`next build failed:\n${stdout}\n${stderr}`);
  }
  console.log(`examples/next: next build took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
