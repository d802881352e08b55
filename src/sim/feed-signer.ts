import { sign, type KeyObject } from 'node:crypto';

/** What the office does to a payload (and what the simulator and the tests do): sign the exact bytes. */
export function signedEnvelope(payload: unknown, privateKey: KeyObject, keyId = 'office-1'): string {
  const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
  return JSON.stringify({ keyId, payload: bytes.toString('base64'), signature: sign(null, bytes, privateKey).toString('base64') });
}
