import { describe, expect, it } from 'vitest';
import { APP_CSP, APP_INDEX_URL, buildWindowOptions, isAppUrl } from '../../../electron/app/window-options';
import { buildCsp } from '../../../electron/host/csp';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
}

describe('the main window as built', () => {
  const o = buildWindowOptions('/app/out/app/preload.cjs');
  const wp = o.webPreferences!;

  it('isolates the renderer: context isolation, sandbox, no Node, web security on', () => {
    expect(wp.contextIsolation).toBe(true);
    expect(wp.sandbox).toBe(true);
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.nodeIntegrationInWorker).toBe(false);
    expect(wp.nodeIntegrationInSubFrames).toBe(false);
    expect(wp.webSecurity).toBe(true);
    expect(wp.allowRunningInsecureContent).toBe(false);
    expect(wp.webviewTag).toBe(false);
    expect(wp.navigateOnDragDrop).toBe(false);
    expect(wp.experimentalFeatures).toBe(false);
    expect(wp.preload).toBe('/app/out/app/preload.cjs');
  });

  it('loads the renderer from app://, never file://', () => {
    expect(APP_INDEX_URL).toBe('app://dbwire/index.html');
    expect(isAppUrl(APP_INDEX_URL)).toBe(true);
    expect(isAppUrl('app://dbwire/assets/x.js')).toBe(true);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('https://example.com/')).toBe(false);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('uses remembered bounds', () => {
    expect(buildWindowOptions('/p', { x: 10, y: 20, width: 900, height: 700 })).toMatchObject({ x: 10, y: 20, width: 900, height: 700 });
  });
});

describe('the renderer CSP', () => {
  it('allows scripts and styles only from the app, no inline script or eval, no network', () => {
    const d = directives(APP_CSP);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('style-src')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'none'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(APP_CSP).not.toMatch(/unsafe-eval|\*/);
    for (const [k, v] of d) if (k.startsWith('script')) expect(v).not.toContain("'unsafe-inline'");
  });

  it("lets the browser page served by the host connect to its own origin only", () => {
    const d = directives(buildCsp({ connect: ["'self'"] }));
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
  });
});
