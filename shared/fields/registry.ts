/**
 * Every field we know, by filter name: the display filter resolves names here, the renderer
 * completes from it. Order matters only for listing.
 */
import type { FieldDef, ProtocolDef } from './types';
import { WS } from './ws';
import { DATA } from './data';
import { TLS } from './tls';
import { ICMP, ICMPV6 } from './icmp';
import { FRAME } from './frame';
import { LINK_PROTOCOLS } from './link';
import { IP, IPV6, IPV6_DSTOPTS, IPV6_FRAGHDR, IPV6_HOPOPTS, IPV6_ROUTING } from './ip';
import { TCP, UDP } from './tcp';
import { MYSQL } from './mysql';
import { PGSQL } from './pgsql';
import { TDS } from './tds';
import { MEMCACHE } from './memcache';
import { RESP } from './resp';

export const PROTOCOLS: readonly ProtocolDef[] = [
  FRAME, ...LINK_PROTOCOLS, IP, IPV6, IPV6_HOPOPTS, IPV6_DSTOPTS, IPV6_ROUTING, IPV6_FRAGHDR, TCP, UDP, ICMP, ICMPV6, MYSQL, PGSQL, TDS, MEMCACHE, RESP, TLS, DATA, WS,
];

const byName = new Map<string, FieldDef>();
for (const p of PROTOCOLS) {
  for (const fd of p.fields) {
    if (byName.has(fd.name)) throw new Error(`field ${fd.name} registered twice`);
    byName.set(fd.name, fd);
  }
}

export function lookupField(name: string): FieldDef | undefined {
  return byName.get(name);
}

export function allFields(): IterableIterator<FieldDef> {
  return byName.values();
}
