import { type Browser, chromium } from 'playwright-core';
import { hasSystemCommand } from './system-deps.ts';

/** Debian's Chromium (package `chromium`), which the browser tests drive through playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

let available: boolean | undefined;

/**
 * Whether Chromium is installed. When it is not, says so loudly once and returns false so the
 * suite can skip, or throws when `FLEET_REQUIRE_SYSTEM_DEPS=1` (as `.ci/run` sets).
 *
 * @example
 * describe.skipIf(!hasChromium())('dashboard in a browser', () => { ... })
 */
export function hasChromium(): boolean {
  available ??= hasSystemCommand(CHROMIUM_PATH, 'chromium');
  return available;
}

/**
 * Launches headless Chromium for a test, with `extraArgs` added to its command line (e.g.
 * `--host-resolver-rules=MAP rebound.test 127.0.0.1`). Guard the suite with {@link hasChromium};
 * close the browser in `afterAll`.
 *
 * @example
 * let browser: Browser;
 * beforeAll(async () => { browser = await launchChromium(); });
 * afterAll(() => browser?.close());
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!hasChromium()) throw new Error(`${CHROMIUM_PATH} is missing: guard the suite with hasChromium()`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
