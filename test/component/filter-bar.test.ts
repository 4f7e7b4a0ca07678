// The display filter bar: green/red as you type, the error underlined at its position, field-name
// completion from the registry, Enter applies, history offered.
import { afterEach, describe, expect, test } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { page, userEvent } from 'vitest/browser';
import FilterBar from '../../renderer/src/components/FilterBar.svelte';
import { reactive } from './reactive.svelte';
import '../../renderer/src/theme.css';

let app: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

function setup(history: string[] = []) {
  const host = document.createElement('div');
  host.style.width = '900px';
  document.body.append(host);
  const applied: string[] = [];
  const props = reactive({ value: '', applied: '', history, onapply: (t: string) => { applied.push(t); } });
  app = mount(FilterBar, { target: host, props });
  return { host, applied, props };
}

const input = () => page.getByRole('combobox', { name: 'Display filter' });

describe('FilterBar', () => {
  test('is green for a valid filter and red, with the bad name underlined, for an invalid one', async () => {
    const { host } = setup();
    await userEvent.type(input(), 'tcp.port == 3306');
    flushSync();
    expect(host.querySelector('.filterbar')!.classList.contains('valid')).toBe(true);
    expect(host.querySelector('.filterbar')!.classList.contains('invalid')).toBe(false);
    await userEvent.clear(input());
    await userEvent.type(input(), 'ip.src == 1.2.3.4 && tcp.prot == 80');
    flushSync();
    expect(host.querySelector('.filterbar')!.classList.contains('invalid')).toBe(true);
    await expect.element(input()).toHaveAttribute('aria-invalid', 'true');
    // The underline covers exactly the unknown name.
    expect(host.querySelector('.mirror .err')!.textContent).toBe('tcp.prot');
    expect(host.querySelector('[role="status"]')!.textContent).toContain('Did you mean tcp.port');
  });

  test('underlines a syntax error at its position', async () => {
    const { host } = setup();
    await userEvent.type(input(), 'tcp.port == 80 and (mysql');
    flushSync();
    expect(host.querySelector('.filterbar')!.classList.contains('invalid')).toBe(true);
    const err = host.querySelector('.mirror .err')!;
    const before = err.previousSibling?.textContent ?? '';
    expect(before.length).toBeGreaterThanOrEqual('tcp.port == 80 and '.length);
  });

  test('completes field names from the registry', async () => {
    const { props } = setup();
    await userEvent.type(input(), 'mysql.que');
    const option = page.getByRole('option', { name: /^mysql\.query / });
    await expect.element(option).toBeVisible();
    await expect.element(input()).toHaveAttribute('aria-expanded', 'true');
    await userEvent.keyboard('{Tab}');
    flushSync();
    expect(props.value).toBe('mysql.query');
  });

  test('Enter applies a valid filter and refuses an invalid one', async () => {
    const { applied } = setup();
    await userEvent.type(input(), 'tcp.stream == 1{Enter}');
    expect(applied).toEqual(['tcp.stream == 1']);
    await userEvent.clear(input());
    await userEvent.type(input(), 'tcp.stream ==={Enter}');
    expect(applied).toEqual(['tcp.stream == 1']);
  });

  test('offers the history', async () => {
    const { applied } = setup(['mysql.query contains "orders"', 'tcp.flags.reset == 1']);
    await page.getByRole('button', { name: 'Recent filters' }).click();
    await page.getByRole('option', { name: 'tcp.flags.reset == 1' }).click();
    expect(applied).toEqual(['tcp.flags.reset == 1']);
  });
});
