/** LINKTYPE_* values (tcpdump.org/linktypes) that dbwire meets in practice. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  IEEE802_5: 6,
  PPP: 9,
  FDDI: 10,
  RAW: 101,
  IEEE802_11: 105,
  LOOP: 108,
  LINUX_SLL: 113,
  IEEE802_11_RADIOTAP: 127,
  PPI: 192,
  USB_LINUX: 189,
  IPV4: 228,
  IPV6: 229,
  DBUS: 231,
  USB_LINUX_MMAPPED: 220,
  USBPCAP: 249,
  NETLINK: 253,
  IPOIB: 242,
  LINUX_SLL2: 276,
} as const;

/** Names for the link types above, as in pcap-linktype(7) (for messages and UIs). */
export const LINK_TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(LinkType).map(([k, v]) => [v, k]),
);

export function linkTypeName(lt: number): string {
  return LINK_TYPE_NAMES[lt] ?? `LINKTYPE_${lt}`;
}

/** Wireshark's usual per-packet maximum (WTAP_MAX_PACKET_SIZE_STANDARD). */
export const MAX_PACKET_STANDARD = 262144;
/** Link types whose packets may legitimately be much larger (D-Bus messages, USB transfers). */
export const MAX_PACKET_LARGE = 128 * 1024 * 1024;
/** Absolute ceiling: a longer captured length is always treated as corruption. */
export const MAX_PACKET_ABSOLUTE = 256 * 1024 * 1024;

/**
 * Largest captured length accepted for a link type. Mirrors tshark (which rejects e.g. a
 * 262145-byte Ethernet packet as corrupt) but also trusts a snaplen that explicitly allows more.
 */
export function maxCapLen(linkType: number, snapLen: number): number {
  let max = MAX_PACKET_STANDARD;
  if (
    linkType === LinkType.DBUS ||
    linkType === LinkType.USB_LINUX ||
    linkType === LinkType.USB_LINUX_MMAPPED ||
    linkType === LinkType.USBPCAP
  ) {
    max = MAX_PACKET_LARGE;
  }
  if (snapLen > max) max = snapLen;
  return Math.min(max, MAX_PACKET_ABSOLUTE);
}

/** pcap header link-type field: low 26 bits are the link type; bits 28..31 the FCS length
 *  when bit 26 is set (the rest is reserved). */
export function splitPcapLinkField(field: number): { linkType: number; fcsLen?: number } {
  const linkType = field & 0x03ffffff;
  if (field & 0x04000000) return { linkType, fcsLen: ((field >>> 28) & 0xf) * 2 };
  return { linkType };
}
