// Live capture from the UI: the start view lists `lo`, a capture starts there with a capture
// filter for a real MariaDB server, and the queries of a real session appear in the Queries view
// while capturing. Needs the service's live-capture provider (and permission to capture: root).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { runMariadb } from '../support/clients';
import { startMariaDB, type DbServer } from '../support/servers';
import { screenshot, serveUi, type Ui } from './ui-harness';

let db: DbServer;
let ui: Ui;
let page: Page;

beforeAll(async () => {
  db = await startMariaDB();
  ui = await serveUi();
  page = ui.page;
}, 240_000);

afterAll(async () => {
  await ui?.close();
  await db?.stop();
});

describe('live capture', () => {
  test('captures on lo during a real database session and shows its queries', async () => {
    const lo = page.getByRole('radio', { name: /^lo\b/ });
    await expect.poll(() => lo.count(), { timeout: 30_000 }).toBe(1);
    await lo.check();
    const cf = page.getByLabel('Capture filter (BPF)');
    await cf.fill(`tcp port ${db.port} or`);
    await expect.poll(() => cf.getAttribute('aria-invalid')).toBe('true');
    await cf.fill(`tcp port ${db.port}`);
    await expect.poll(() => cf.getAttribute('aria-invalid')).toBe('false');
    await screenshot(page, 'e2e-live-start-view');
    await page.getByRole('button', { name: '● Start' }).click();
    await expect.poll(() => page.getByLabel('capturing').count(), { timeout: 30_000 }).toBe(1);

    const marker = `live_marker_${process.pid}`;
    const r = await runMariadb(db, { sql: [`SELECT '${marker}' AS m`, `SELECT '${marker}_2', SLEEP(0.2)`] });
    expect(r.code).toBe(0);

    await page.getByRole('tab', { name: /Queries/ }).click();
    const stmts = page.getByRole('table', { name: 'Transactions' }).locator('td.stmt').filter({ hasText: marker });
    await expect.poll(async () => {
      if (await stmts.count() < 2) await page.getByRole('button', { name: 'Refresh' }).click().catch(() => undefined);
      return stmts.count();
    }, { timeout: 30_000, interval: 500 }).toBe(2);
    await screenshot(page, 'e2e-live-queries');
    await page.getByRole('tab', { name: 'Packets' }).click();
    await screenshot(page, 'e2e-live-packets');
    await page.getByRole('button', { name: '■ Stop' }).click();
    await expect.poll(() => page.getByText('■ capture stopped').count(), { timeout: 30_000 }).toBe(1);
  });
});
