import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Pickup credentials (contracts.md 3 and 5.1). The locker never stores or logs a phone number, code or PIN:
 * it computes their MACs with the key K shared with the office and compares MACs in constant time.
 */

/** `+48 600 100 200`, `0048600100200`, `600100200` → `600100200`; anything else → undefined. */
export function normalizePhone(input: string): string | undefined {
  const compact = input.replace(/[\s-]/g, '');
  const national = compact.replace(/^(\+48|0048)/, '');
  return /^\d{9}$/.test(national) ? national : undefined;
}

/** Pickup codes are digits (the office issues 8); white space around is dropped. */
export function normalizeCode(input: string): string | undefined {
  const c = input.trim();
  return /^\d{6,12}$/.test(c) ? c : undefined;
}

/** `URZ1;<lockerId>;<phone>;<code>`; undefined when malformed or for another locker. */
export function parseQr(qr: string, lockerId: string): { phone: string; code: string } | undefined {
  const parts = qr.trim().split(';');
  if (parts.length !== 4 || parts[0] !== 'URZ1' || parts[1] !== lockerId) return undefined;
  const phone = normalizePhone(parts[2]!);
  const code = normalizeCode(parts[3]!);
  return phone === undefined || code === undefined ? undefined : { phone, code };
}

/** lowercase hex of HMAC-SHA256(K, x) */
export function mac(key: Buffer, x: string): string {
  return createHmac('sha256', key).update(x, 'utf8').digest('hex');
}

export const phoneMac = (key: Buffer, phone: string): string => mac(key, 'phone:' + phone);
export const codeMac = (key: Buffer, code: string): string => mac(key, 'code:' + code);
export const pinMac = (key: Buffer, staffId: string, pin: string): string => mac(key, `staff:${staffId}:${pin}`);

/** Constant-time comparison of two hex MACs; false for anything not 64 hex characters. */
export function macEquals(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  if (ab.length !== 32 || bb.length !== 32 || a.length !== 64 || b.length !== 64) {
    // Still spend the comparison, so a malformed stored value does not answer faster.
    timingSafeEqual(Buffer.alloc(32), Buffer.alloc(32));
    return false;
  }
  return timingSafeEqual(ab, bb);
}
