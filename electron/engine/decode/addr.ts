/** Address text helpers for columns and conversation keys. */
import { hexBytes, ipv4Text, ipv4TextOfWord, ipv6Text } from '../../../shared/fields/format';

export function macText(b: Uint8Array): string { return hexBytes(b, ':'); }
export { ipv4Text, ipv4TextOfWord, ipv6Text };
