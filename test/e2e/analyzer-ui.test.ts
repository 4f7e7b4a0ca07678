// The analyzer UI end to end: `dbwire serve` with the real engine on a capture of real database
// sessions, driven in Debian's Chromium. Each test leaves a screenshot in test-output/screenshots/.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { makeDbWorkload, workloadDecodeAs, type DbCapture } from '../support/db-workload';
import { testOutputPath } from '../support/paths';
import { displayedCount, screenshot, serveUi, type Ui } from './ui-harness';
import { tsharkCount, tsharkFrames } from './tshark';

let cap: DbCapture;
let ui: Ui;
let page: Page;

beforeAll(async () => {
  cap = await makeDbWorkload();
  ui = await serveUi(cap.file);
  page = ui.page;
}, 240_000);

afterAll(async () => {
  await ui?.close();
});

async function waitForDisplayed(n: number): Promise<void> {
  await expect.poll(() => displayedCount(page), { timeout: 30_000 }).toBe(n);
}

async function applyFilter(text: string): Promise<void> {
  const box = page.getByRole('combobox', { name: 'Display filter' });
  await box.fill(text);
  await box.press('Escape');
  await box.press('Enter');
}

describe('analyzer UI on a real capture', () => {
  test('shows the capture and a display filter gives the count tshark gives', async () => {
    const all = tsharkCount(cap.file, '');
    await waitForDisplayed(all);
    const grid = page.getByRole('grid', { name: 'Packet list' });
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe(String(all + 1));
    const filter = 'mysql.query contains "products"';
    const want = tsharkCount(cap.file, filter, workloadDecodeAs(cap.manifest));
    expect(want).toBeGreaterThan(2);
    const box = page.getByRole('combobox', { name: 'Display filter' });
    await box.fill('');
    await box.pressSequentially('mysql.query contains "products"', { delay: 5 });
    // Green while valid, as typed.
    await expect.poll(() => box.getAttribute('aria-invalid')).toBe('false');
    await box.press('Escape');
    await box.press('Enter');
    await waitForDisplayed(want);
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe(String(want + 1));
    // The rows are the frames tshark shows.
    const frames = tsharkFrames(cap.file, filter, workloadDecodeAs(cap.manifest));
    await expect.poll(() => page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').first().textContent().then((t) => t?.replace(/\D/g, ''))).toBe(String(frames[0]));
    await screenshot(page, 'e2e-filter-count');
    // An invalid filter turns red and is not applied.
    await box.fill('mysql.qurey == 1');
    await expect.poll(() => box.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.locator('.mirror .err').textContent()).toBe('mysql.qurey');
    await screenshot(page, 'e2e-filter-invalid');
    expect(await displayedCount(page)).toBe(want);
  });

  test('selecting a packet shows its field tree and highlights the bytes of the selected field', async () => {
    await applyFilter('mysql.query contains "no_such_table"');
    await waitForDisplayed(1);
    await page.locator('[role="row"][aria-rowindex="2"]').click();
    const tree = page.getByRole('tree', { name: 'Packet details' });
    await expect.poll(() => tree.getByRole('treeitem').count()).toBeGreaterThan(4);
    const stmt = tree.getByRole('treeitem').filter({ hasText: 'SELECT * FROM no_such_table' }).last();
    await stmt.click();
    const hl = page.locator('[data-testid="bytes-pane"] .b.hl');
    await expect.poll(() => hl.count()).toBe('SELECT * FROM no_such_table'.length);
    const text = (await page.locator('[data-testid="bytes-pane"] .a.hl').allTextContents()).join('');
    expect(text).toBe('SELECT * FROM no_such_table');
    await screenshot(page, 'e2e-packet-detail');
    // Bytes → tree: the byte at offset 23 is the IPv4 protocol field.
    await page.locator('[data-testid="bytes-pane"] .b[data-off="23"]').click();
    await expect.poll(() => tree.locator('[aria-selected="true"]').textContent()).toMatch(/^\s*Protocol: TCP/);
    await expect.poll(() => page.locator('[data-testid="bytes-pane"] .b.hl').count()).toBe(1);
    await screenshot(page, 'e2e-bytes-to-tree');
  });

  test('the connections view gives the verdict of the failed login, with links to its evidence', async () => {
    await applyFilter('');
    await page.getByRole('tab', { name: /Connections/ }).click();
    const table = page.getByRole('table', { name: 'Connections' });
    const failed = table.locator('tbody tr').filter({ hasText: 'login-failed' }).filter({ hasText: 'mysql' });
    await expect.poll(() => failed.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await failed.first().click();
    const verdict = page.getByTestId('verdict');
    await expect.poll(() => verdict.textContent()).toContain('1045');
    expect(await verdict.textContent()).toContain('Access denied');
    await expect.poll(() => page.getByTestId('timeline').locator('.marker-label').allTextContents()).toContain('Login ERR');
    await screenshot(page, 'e2e-connections-verdict');
    // The evidence link opens the Packets tab, filtered to the connection, with that frame selected.
    const link = verdict.locator('button.frame').last();
    const frame = Number((await link.textContent())!.replace(/\D/g, ''));
    await link.click();
    await expect.poll(() => page.getByRole('tab', { name: 'Packets' }).getAttribute('aria-selected')).toBe('true');
    const filterText = await page.getByRole('combobox', { name: 'Display filter' }).inputValue();
    expect(filterText).toMatch(/^tcp\.stream == \d+$/);
    await waitForDisplayed(tsharkCount(cap.file, filterText));
    await expect.poll(async () => (await page.locator('[role="row"][aria-selected="true"] [role="gridcell"]').first().textContent())?.replace(/\D/g, '')).toBe(String(frame));
    await screenshot(page, 'e2e-evidence-frame');
  });

  test('exports the displayed packets to a pcap that tshark reads', async () => {
    await applyFilter('tcp.stream == 0');
    const want = tsharkCount(cap.file, 'tcp.stream == 0');
    await waitForDisplayed(want);
    const out = testOutputPath(`e2e-export-${process.pid}.pcap`);
    rmSync(out, { force: true });
    await page.getByRole('button', { name: 'Export…' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Export packets' });
    await dialog.getByRole('radio', { name: /Displayed/ }).check();
    await dialog.getByRole('radio', { name: 'pcap', exact: true }).check();
    await dialog.getByLabel('Save to').fill(out);
    await screenshot(page, 'e2e-export-dialog');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Exported' }).count(), { timeout: 30_000 }).toBe(1);
    expect(tsharkCount(out, '')).toBe(want);
    // pcap, not pcapng: the classic magic number.
    const magic = readFileSync(out).readUInt32LE(0);
    expect([0xa1b2c3d4, 0xa1b23c4d]).toContain(magic);
    await screenshot(page, 'e2e-exported');
    expect(ui.errors).toEqual([]);
  });
});
