import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The MAC on the locker's event push (contracts.md §5.3): HMAC-SHA256 over the exact body bytes with
 * Kev = HMAC-SHA256(K, "urzedomat events v1"). A bearer token seen in the TLS path is then not enough to feed
 * the office false events. Kev is derived rather than K used directly, so the key that makes the credential
 * MACs of §5.1 never signs attacker-chosen bytes.
 */
export const eventMacHeader = 'x-urzedomat-mac';

export function eventsKey(codeKey: Buffer): Buffer {
  return createHmac('sha256', codeKey).update('urzedomat events v1', 'utf8').digest();
}

/** Lowercase hex of HMAC-SHA256(Kev, body). */
export function eventsMac(kev: Buffer, body: Uint8Array | string): string {
  return createHmac('sha256', kev).update(body).digest('hex');
}

/** Constant-time check of a received header against the body; false for anything malformed. */
export function eventsMacValid(kev: Buffer, body: Uint8Array | string, header: string | undefined): boolean {
  if (header === undefined || !/^[0-9a-fA-F]{64}$/.test(header)) return false;
  return timingSafeEqual(Buffer.from(eventsMac(kev, body), 'hex'), Buffer.from(header, 'hex'));
}
