// The connection timeline: lanes with markers, request→response spans labelled with latency and
// status, state bands, a compressed idle gap, click → frame, zoom.
import { afterEach, describe, expect, test } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import Timeline from '../../renderer/src/components/connections/Timeline.svelte';
import type { Connection } from '../../shared/api/types';
import '../../renderer/src/theme.css';

let app: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

const T0 = 1_700_000_000;
function connection(): Connection {
  const ev = (kind: string, frame: number, dt: number, end: 'client' | 'server', more: object = {}) => ({ kind, frame, time: T0 + dt, end, ...more });
  return {
    stream: 3, client: '127.0.0.1:51000', server: '127.0.0.1:3306', protocol: 'mysql',
    firstTime: T0, lastTime: T0 + 600.5, duration: 600.5, packets: [8, 7], bytes: [400, 900],
    clientState: 'CLOSED', serverState: 'CLOSED', verdict: 'ok', verdictText: 'ok', evidence: [],
    transactions: 2, errors: 1,
    timeline: [
      ev('syn', 1, 0, 'client'), ev('syn-ack', 2, 0.0001, 'server'), ev('handshake-ack', 3, 0.0002, 'client'),
      ev('login-ok', 6, 0.004, 'server'),
      ev('request', 7, 0.010, 'client', { detail: 'SELECT * FROM orders', endFrame: 8, endTime: T0 + 0.322, latency: 0.312, status: 'ok' }),
      ev('request', 9, 0.400, 'client', { detail: 'SELECT * FROM nope', endFrame: 10, endTime: T0 + 0.402, latency: 0.002, status: 'error 1146' }),
      ev('retransmission', 11, 0.45, 'client'),
      ev('fin', 12, 600.4, 'client'), ev('rst', 13, 600.5, 'server'),
    ],
    transitions: [
      { end: 'client', from: 'CLOSED', to: 'SYN_SENT', frame: 1, time: T0 },
      { end: 'client', from: 'SYN_SENT', to: 'ESTABLISHED', frame: 2, time: T0 + 0.0001 },
      { end: 'server', from: 'LISTEN', to: 'ESTABLISHED', frame: 3, time: T0 + 0.0002 },
      { end: 'client', from: 'ESTABLISHED', to: 'FIN_WAIT_1', frame: 12, time: T0 + 600.4 },
      { end: 'server', from: 'ESTABLISHED', to: 'CLOSED', frame: 13, time: T0 + 600.5 },
    ],
  };
}

function setup() {
  const host = document.createElement('div');
  host.style.width = '1000px';
  document.body.append(host);
  const frames: number[] = [];
  app = mount(Timeline, { target: host, props: { connection: connection(), onframe: (f: number) => frames.push(f) } });
  flushSync();
  return { host, frames };
}

const texts = (host: HTMLElement, sel: string) => Array.from(host.querySelectorAll(sel)).map((e) => e.textContent ?? '');

describe('Timeline', () => {
  test('draws lanes, handshake/FIN/RST markers, spans with latency and status, and state bands', () => {
    const { host } = setup();
    const labels = texts(host, '.marker-label');
    for (const l of ['SYN', 'FIN', 'RST', 'Retr']) expect(labels).toContain(l);
    const spans = texts(host, '.span-label');
    expect(spans).toContain('312 ms');
    expect(spans.some((s) => s.includes('error 1146'))).toBe(true);
    const bands = Array.from(host.querySelectorAll('.band title')).map((t) => t.textContent);
    expect(bands).toContain('client ESTABLISHED');
    expect(bands).toContain('server CLOSED');
    // The failing request is marked bad (colour) and says so in text.
    expect(host.querySelectorAll('.span.bad').length).toBe(1);
  });

  test('compresses the 10-minute idle gap instead of squeezing the handshake to a pixel', () => {
    const { host } = setup();
    expect(texts(host, '.gap-label').some((t) => t.includes('10.0 min'))).toBe(true);
    const x = (label: string) => {
      const el = Array.from(host.querySelectorAll('.marker-label')).find((e) => e.textContent === label)!;
      return Number(el.getAttribute('x'));
    };
    // The first 0.45 s and the close 600 s later both get real width.
    expect(x('Retr') - x('SYN')).toBeGreaterThan(100);
    expect(x('RST')).toBeLessThan(1000);
  });

  test('clicking a marker reports its frame; zoom spreads markers apart', () => {
    const { host, frames } = setup();
    const rst = Array.from(host.querySelectorAll('.marker')).find((g) => g.querySelector('.marker-label')?.textContent === 'RST')!;
    rst.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(frames).toEqual([13]);
    const spanRect = () => Number(host.querySelector('.span rect')!.getAttribute('width'));
    const before = spanRect();
    (host.querySelector('button[aria-label="Zoom in"]') as HTMLButtonElement).click();
    flushSync();
    expect(spanRect()).toBeGreaterThan(before * 1.4);
  });
});
