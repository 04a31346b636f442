import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Flags for Debian's chromium here: headless as root, nothing that reaches the network on its own. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/**
 * Installs Debian's chromium through the project's script when it is missing (apt-get; minutes the first time)
 * and returns its path. Throws with the script's output when it cannot: a browser test must fail, not skip.
 */
export function installChromium(): string {
  const script = new URL('../../scripts/browser/install-chromium.sh', import.meta.url).pathname;
  try {
    const out = execFileSync(script, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20 * 60_000 });
    const path = out.trim().split('\n').at(-1) ?? '';
    if (path === '') throw new Error('the script printed no path');
    return path;
  } catch (err) {
    const e = err as { message: string; stderr?: string; stdout?: string };
    throw new Error(`cannot install chromium for the dashboard's browser test (scripts/browser/install-chromium.sh): ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** A headless chromium with a fresh profile (removed on close) and one page. */
export interface HeadlessChromium {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/** Starts chromium at `executablePath` with a fresh --user-data-dir and a `width`x`height` viewport. */
export async function launchChromium(executablePath: string, width = 1600, height = 1200): Promise<HeadlessChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, args: [...CHROMIUM_ARGS], viewport: { width, height }, deviceScaleFactor: 1, timezoneId: 'UTC', locale: 'en-GB',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context, page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
