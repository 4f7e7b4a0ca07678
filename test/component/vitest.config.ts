/**
 * Component tests: Svelte components mounted in Debian's Chromium (vitest browser mode, the
 * playwright provider pointed at /usr/bin/chromium; no browser is downloaded).
 * Run: npm run test:component  (the node test config excludes this folder).
 */
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playwright } from '@vitest/browser-playwright';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  plugins: [svelte({ compilerOptions: { css: 'injected' } })],
  resolve: { conditions: ['browser'] },
  test: {
    include: ['test/component/**/*.test.ts'],
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] } }),
      instances: [{ browser: 'chromium', viewport: { width: 1200, height: 800 } }],
    },
  },
});
