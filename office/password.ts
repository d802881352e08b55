import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** Clerks' passwords with scrypt (node:crypto; N=2^15, r=8, p=1, OWASP's floor), stored as `scrypt$N$r$p$salt$hash`. */
const N = 2 ** 15;
const r = 8;
const p = 1;
const maxmem = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, rr: number, pp: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, 32, { N: n, r: rr, p: pp, maxmem }, (e, key) => (e ? reject(e) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, r, p);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, rr, pp, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const key = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(rr), Number(pp));
  const want = Buffer.from(hash, 'base64');
  return key.length === want.length && timingSafeEqual(key, want);
}
