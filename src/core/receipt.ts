import QRCode from 'qrcode';
import type { Db } from '../store/open.js';

export interface Receipt {
  readonly id: string;
  readonly authorizationId: string;
  readonly compartment: number;
  readonly at: string;
}

/** The receipt of a pickup, once its door has shut. */
export function receiptFor(db: Db, authorizationId: string): Receipt | undefined {
  const r = db.prepare('SELECT id, authorization_id, compartment_id, at FROM receipt WHERE authorization_id = ?').get(authorizationId) as
    | { id: string; authorization_id: string; compartment_id: number; at: string }
    | undefined;
  return r === undefined ? undefined : { id: r.id, authorizationId: r.authorization_id, compartment: r.compartment_id, at: r.at };
}

/**
 * The text a resident's receipt QR code carries: who collected is not in it (no phone, no code), only what the
 * office needs to find the pickup: `URZR1;<lockerId>;<receiptId>;<authorizationId>;<compartment>;<at>`.
 */
export function receiptText(lockerId: string, r: Receipt): string {
  return ['URZR1', lockerId, r.id, r.authorizationId, String(r.compartment), r.at].join(';');
}

/** The receipt as an SVG QR code for the kiosk screen. */
export function receiptSvg(lockerId: string, r: Receipt): Promise<string> {
  return QRCode.toString(receiptText(lockerId, r), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
