// Payload text is rendered as text, never as HTML: a real MariaDB session sends the query
// `<img src=x onerror=alert(1)>`; the packet list, the field tree, the Queries view and the
// server's error message all show it literally, and no <img> element or alert appears.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { captureWhile } from '../support/capture';
import { runMariadb } from '../support/clients';
import { startMariaDB, type DbServer } from '../support/servers';
import { screenshot, serveUi, type Ui } from './ui-harness';

const QUERY = '<img src=x onerror=alert(1)>';
let db: DbServer;
let ui: Ui;
let page: Page;

beforeAll(async () => {
  db = await startMariaDB();
  const file = await captureWhile({ ports: [db.port] }, async () => {
    const r = await runMariadb(db, { sql: QUERY });
    // Not SQL: the server answers with a syntax error that quotes the text back.
    if (!/ERROR 1064/.test(r.stderr)) throw new Error(`expected a syntax error, got: ${r.stderr}`);
  });
  ui = await serveUi(file);
  page = ui.page;
}, 240_000);

afterAll(async () => {
  await ui?.close();
  await db?.stop();
});

describe('untrusted text', () => {
  test('a MySQL query that looks like HTML is shown as that text everywhere', async () => {
    const box = page.getByRole('combobox', { name: 'Display filter' });
    await box.fill('mysql.query');
    await box.press('Enter');
    const row = page.locator('[role="row"][aria-rowindex="2"]');
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('Request Query');
    await row.click();
    const tree = page.getByRole('tree', { name: 'Packet details' });
    const item = tree.getByRole('treeitem').filter({ hasText: QUERY });
    await expect.poll(() => item.count()).toBeGreaterThan(0);
    expect(await item.last().textContent()).toContain(QUERY);
    await screenshot(page, 'e2e-untrusted-packet');

    await page.getByRole('tab', { name: /Queries/ }).click();
    const table = page.getByRole('table', { name: 'Transactions' });
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const stmt = table.locator('td.stmt').filter({ hasText: QUERY });
    await expect.poll(() => stmt.count()).toBe(1);
    expect(await stmt.textContent()).toBe(QUERY);
    // The server's message quotes the text back; it is text too.
    const status = table.locator('td.status').filter({ hasText: '1064' });
    expect(await status.getAttribute('title')).toContain('<img src=x onerror=alert(1)>');
    await screenshot(page, 'e2e-untrusted-queries');

    expect(await page.locator('img').count()).toBe(0);
    expect(ui.dialogs).toEqual([]);
    expect(ui.errors).toEqual([]);
  });
});
