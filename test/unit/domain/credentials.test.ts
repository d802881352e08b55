import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { codeMac, mac, macEquals, normalizeCode, normalizePhone, parseQr, phoneMac, pinMac } from '../../../src/wire/credentials.js';

const K = Buffer.alloc(32, 7);

describe('pickup credentials', () => {
  it.each([
    ['600100200', '600100200'], ['+48600100200', '600100200'], ['0048 600 100 200', '600100200'],
    ['+48 600-100-200', '600100200'], ['60010020', undefined], ['6001002001', undefined], ['+44600100200', undefined], ['abc', undefined],
  ])('phone %s → %s', (input, out) => {
    expect(normalizePhone(input)).toBe(out);
  });

  it('codes are digits only', () => {
    expect(normalizeCode(' 12345678 ')).toBe('12345678');
    expect(normalizeCode('1234abcd')).toBeUndefined();
    expect(normalizeCode('')).toBeUndefined();
  });

  it('reads the QR string of this locker only', () => {
    expect(parseQr('URZ1;czestochowa-focha-1;+48600100200;12345678', 'czestochowa-focha-1')).toEqual({ phone: '600100200', code: '12345678' });
    expect(parseQr('URZ1;other-locker;600100200;12345678', 'czestochowa-focha-1')).toBeUndefined();
    expect(parseQr('URZ2;czestochowa-focha-1;600100200;12345678', 'czestochowa-focha-1')).toBeUndefined();
    expect(parseQr('URZ1;czestochowa-focha-1;600100200', 'czestochowa-focha-1')).toBeUndefined();
  });

  it('MACs are HMAC-SHA256 with the prefixes of contracts.md 5.1', () => {
    const h = (x: string) => createHmac('sha256', K).update(x).digest('hex');
    expect(phoneMac(K, '600100200')).toBe(h('phone:600100200'));
    expect(codeMac(K, '12345678')).toBe(h('code:12345678'));
    expect(pinMac(K, 'S-1', '1234')).toBe(h('staff:S-1:1234'));
    expect(mac(K, 'x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('compares MACs exactly and refuses malformed ones', () => {
    const a = codeMac(K, '12345678');
    expect(macEquals(a, a)).toBe(true);
    expect(macEquals(a, codeMac(K, '12345679'))).toBe(false);
    expect(macEquals(a, a.slice(0, 62))).toBe(false);
    expect(macEquals(a, 'z'.repeat(64))).toBe(false);
  });
});
