import { createHash, randomBytes } from 'node:crypto';

/** A bearer token: 256 random bits, URL-safe. Shown once, stored only as its hash. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 is enough for 256-bit random tokens (nothing to brute-force); lookups stay one index probe. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** `Authorization: Bearer <token>` → the token, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9._~+/=-]{16,200})$/.exec(header ?? '');
  return m?.[1];
}
