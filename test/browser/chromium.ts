import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where the browser tests expect Debian's Chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Whether Chromium is installed where the browser tests look for it. */
export const chromiumInstalled = existsSync(CHROMIUM_PATH);

/** What to do about a missing Chromium. */
export const MISSING_CHROMIUM = `${CHROMIUM_PATH} is missing; install it with \`apt-get install chromium\``;

/** Starts a headless Chromium, quiet: no first-run page, no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
