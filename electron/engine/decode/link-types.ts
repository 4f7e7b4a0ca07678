/** libpcap LINKTYPE_* values we decode, and Wireshark's encapsulation numbers for frame.encap_type. */
export const LINKTYPE = {
  NULL: 0, EN10MB: 1, RAW_OPENBSD: 12, RAW_BSDOS: 14, RAW: 101, LOOP: 108, LINUX_SLL: 113,
  IPV4: 228, IPV6: 229, LINUX_SLL2: 276, IPOIB: 242,
} as const;

/** WTAP_ENCAP_* for frame.encap_type (Wireshark's numbering, not libpcap's). */
export function wtapEncap(linkType: number): number {
  switch (linkType) {
    case LINKTYPE.EN10MB: return 1;
    case LINKTYPE.RAW: case LINKTYPE.RAW_OPENBSD: case LINKTYPE.RAW_BSDOS: return 7;
    case LINKTYPE.NULL: return 15;
    case LINKTYPE.LINUX_SLL: return 25;
    case LINKTYPE.LOOP: return 156;
    case LINKTYPE.IPV4: return 129;
    case LINKTYPE.IPV6: return 130;
    case LINKTYPE.LINUX_SLL2: return 210;
    case LINKTYPE.IPOIB: return 180;
    default: return -1;
  }
}
