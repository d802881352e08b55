import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type ServerOptions as TlsServerOptions } from 'node:https';
import type { KeyObject } from 'node:crypto';
import { codeMac, phoneMac, pinMac } from '../../src/wire/credentials.js';
import type { FeedChange } from '../../src/wire/feed-schema.js';
import { signedAck } from '../../src/wire/ack.js';
import { signedEnvelope } from '../../src/wire/envelope.js';
import { eventMacHeader, eventsKey, eventsMacValid } from '../../src/wire/event-mac.js';

export interface IssuedDocument {
  readonly id: string;
  readonly phone: string;
  readonly code: string;
  readonly documentType: string;
  /** What the resident's QR code holds (contracts.md §3). */
  readonly qr: string;
}

export interface OfficeSimOptions {
  readonly lockerId: string;
  readonly privateKey: KeyObject;
  /** K, shared with the locker, to make the MACs. */
  readonly codeKey: Buffer;
  readonly token: string;
  /** Changes per feed batch. */
  readonly pageSize?: number;
  /** How long a signed batch stays valid. */
  readonly batchTtlMs?: number;
  readonly now?: () => number;
  readonly keyId?: string;
}

type NewChange = FeedChange extends infer C ? (C extends { seq: number } ? Omit<C, 'seq'> : never) : never;

/**
 * The office's side of contracts.md §5, in memory, for the demo and the tests: a signed feed served in pages,
 * and an event endpoint that checks the push's MAC (401 and nothing recorded when it does not verify), records
 * what it receives (checking that a resent seq is byte-for-byte the same) and acknowledges the contiguous
 * prefix in a signed envelope.
 */
export class OfficeSimulator {
  private readonly changes: FeedChange[] = [];
  /** Every event received, by seq, as the exact JSON text. */
  readonly received = new Map<number, string>();
  /** Resends whose bytes differed from the first sending: must stay 0. */
  differingResends = 0;
  ackedThrough = 0;
  /** false: every request gets 503, as a down office. */
  available = true;
  /** Pushes refused because their MAC did not verify (nothing of them recorded). */
  badMacPushes = 0;
  /**
   * A test's stand-in for someone in the TLS path: replaces the signed acknowledgement with its own answer
   * (e.g. a bare `{"ackedThrough": N}`). Undefined: the honest, signed answer.
   */
  forgeAck: ((honest: { ackedThrough: number }) => string) | undefined;
  private nextId = 1;
  private readonly kev: Buffer;

  constructor(private readonly o: OfficeSimOptions) {
    this.kev = eventsKey(o.codeKey);
  }

  get lastSeq(): number {
    return this.changes.at(-1)?.seq ?? 0;
  }

  add(change: NewChange): number {
    const seq = this.lastSeq + 1;
    this.changes.push({ ...change, seq } as FeedChange);
    return seq;
  }

  /** The conservative catalogue of a civil registry office, as the office would send it. */
  seedCatalogue(): void {
    for (const [code, namePl, nameEn, release] of [
      ['odpis-skrocony-aktu-urodzenia', 'Odpis skrócony aktu urodzenia', 'Short birth certificate', true],
      ['odpis-zupelny-aktu-malzenstwa', 'Odpis zupełny aktu małżeństwa', 'Full marriage certificate', true],
      ['dowod-osobisty', 'Dowód osobisty', 'Identity card', false],
    ] as const) {
      this.add({ type: 'documentType.upsert', documentType: { code, namePl, nameEn, lockerRelease: release, legalBasis: '' } });
    }
  }

  /** A new authorization with a random phone number and 8-digit code, as the office would issue it. */
  issue(o: {
    documentType?: string; size?: 'S' | 'M' | 'L'; expiresAt?: string; consent?: boolean; feeSettled?: boolean; accessible?: boolean; id?: string;
    /** Given by a test that must know them without asking the office (by default random, as issued). */
    phone?: string; code?: string;
  } = {}): IssuedDocument {
    const id = o.id ?? `A-${this.nextId++}`;
    const phone = o.phone ?? `6${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
    const code = o.code ?? String(randomInt(10_000_000, 100_000_000));
    const documentType = o.documentType ?? 'odpis-skrocony-aktu-urodzenia';
    this.add({
      type: 'authorization.upsert',
      authorization: {
        id, caseRef: `USC.5361.${id}`, documentType, size: o.size ?? 'S',
        phoneMac: phoneMac(this.o.codeKey, phone), codeMac: codeMac(this.o.codeKey, code),
        expiresAt: o.expiresAt ?? new Date(this.now() + 7 * 24 * 3_600_000).toISOString(),
        feeSettled: o.feeSettled ?? true, consent: o.consent ?? true, accessible: o.accessible ?? false,
      },
    });
    return { id, phone, code, documentType, qr: `URZ1;${this.o.lockerId};${phone};${code}` };
  }

  revoke(id: string, reason = 'withdrawn'): void {
    this.add({ type: 'authorization.revoke', id, reason });
  }

  addStaff(id: string, name: string, pin: string): void {
    this.add({ type: 'staff.upsert', staff: { id, name, pinMac: pinMac(this.o.codeKey, id, pin), roles: ['loader'], active: true } });
  }

  /** The signed batch after `after`. */
  feed(after: number): string {
    const pending = this.changes.filter((c) => c.seq > after);
    const page = pending.slice(0, this.o.pageSize ?? 1_000);
    const now = this.now();
    return signedEnvelope({
      lockerId: this.o.lockerId, after, last: page.at(-1)?.seq ?? after, more: pending.length > page.length,
      serverTime: new Date(now).toISOString(), expiresAt: new Date(now + (this.o.batchTtlMs ?? 300_000)).toISOString(), changes: page,
    }, this.o.privateKey, this.o.keyId ?? 'office-sim');
  }

  /** The signed acknowledgement of contracts.md §5.3. */
  ack(): string {
    return signedAck({ lockerId: this.o.lockerId, ackedThrough: this.ackedThrough, serverTime: new Date(this.now()).toISOString() }, this.o.privateKey, this.o.keyId ?? 'office-sim');
  }

  /** Records pushed events; acknowledges everything up to the first gap. The body's MAC is checked by `handle`. */
  receiveEvents(body: string): { ackedThrough: number } {
    const parsed = JSON.parse(body) as { events: unknown[] };
    // The locker sends JSON.stringify output, so re-serialising a parsed event gives back its exact text.
    for (const e of parsed.events) {
      const ev = e as { seq: number };
      const text = JSON.stringify(e);
      const seen = this.received.get(ev.seq);
      if (seen === undefined) this.received.set(ev.seq, text);
      else if (seen !== text) this.differingResends += 1;
    }
    while (this.received.has(this.ackedThrough + 1)) this.ackedThrough += 1;
    return { ackedThrough: this.ackedThrough };
  }

  /** Serves the protocol on loopback under `prefix` (`/urzedomat` gives `/urzedomat/v1/...`). */
  async listen(port = 0, host = '127.0.0.1', prefix = '/urzedomat', tls?: TlsServerOptions): Promise<{ port: number; close(): Promise<void> }> {
    const base = `${prefix}/v1/lockers/${encodeURIComponent(this.o.lockerId)}`;
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res, base);
    // With `tls`, HTTPS as in production (a client certificate can be required with requestCert).
    const server = tls === undefined ? createServer(handler) : createTlsServer(tls, handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    return {
      port: typeof address === 'object' && address !== null ? address.port : port,
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (!this.available) return send(503, '{"error":"unavailable"}');
    if (req.headers.authorization !== `Bearer ${this.o.token}`) return send(401, '{"error":"unauthorized"}');
    const url = new URL(req.url ?? '/', 'http://office');
    if (req.method === 'GET' && url.pathname === `${base}/feed`) {
      const after = Number(url.searchParams.get('after') ?? '0');
      if (!Number.isInteger(after) || after < 0) return send(400, '{"error":"bad after"}');
      return send(200, this.feed(after));
    }
    if (req.method === 'POST' && url.pathname === `${base}/events`) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const header = req.headers[eventMacHeader];
      if (!eventsMacValid(this.kev, body, typeof header === 'string' ? header : undefined)) {
        this.badMacPushes += 1;
        return send(401, '{"error":"bad-mac"}');
      }
      try {
        const honest = this.receiveEvents(body.toString('utf8'));
        return send(200, this.forgeAck !== undefined ? this.forgeAck(honest) : this.ack());
      } catch {
        return send(400, '{"error":"bad events"}');
      }
    }
    return send(404, '{"error":"not found"}');
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }
}
