/**
 * The Content-Security-Policy of the renderer, for both the Electron app:// protocol and the
 * WebSocket host's pages: scripts and styles only from the app itself (no inline script, no
 * eval), no plugins, no framing, no form posts, no base-URL games. Inline style *attributes* are
 * allowed (a virtual list positions rows with them); style elements are not.
 */
export interface CspOptions {
  /** Where the page may connect: the host needs its own WebSocket ('self'), the desktop app nothing. */
  readonly connect: readonly string[];
}

export function buildCsp(opts: CspOptions): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['style-src-attr', "'unsafe-inline'"],
    ['img-src', "'self'", 'data:'],
    ['font-src', "'self'"],
    ['connect-src', ...(opts.connect.length ? opts.connect : ["'none'"])],
    ['worker-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}
