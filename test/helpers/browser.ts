import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, which the browser tests drive (.ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** On CI the browser tests must run; elsewhere they are skipped without Chromium. */
export const skipWithoutChromium =
  !process.env.CI && !existsSync(CHROMIUM) ? 'Chromium is not installed (apt-get install -y chromium)' : false;

/** Chromium, headless, without a sandbox, a GPU or any traffic of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
