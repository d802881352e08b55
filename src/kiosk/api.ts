import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { LockerCore } from '../core/locker-core.js';
import type { AuthorizationRow } from '../store/authorizations.js';
import { sessionIdPattern } from './event-stream.js';
import { BadRequest, bearer, readJson, sendJson, str } from './http-util.js';
import type { ResidentSessions } from './resident-sessions.js';

/**
 * The kiosk API of contracts.md §3. Residents: one uniform 403 for anything wrong with the phone or the code.
 * Staff: a bearer token from `/api/staff/session`, expiring after 10 minutes without use.
 */
export class KioskApi {
  constructor(private readonly core: LockerCore, private readonly residents: ResidentSessions, private readonly log: Logger) {}

  /** Returns false when the path is not the API's. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (!path.startsWith('/api/')) return false;
    if (req.method !== 'POST') {
      sendJson(res, 405, { result: 'method-not-allowed' }, { allow: 'POST' });
      return true;
    }
    let body: Record<string, unknown>;
    try {
      body = await readJson(req);
    } catch (e) {
      if (!(e instanceof BadRequest)) throw e;
      sendJson(res, 400, { result: 'bad-request', error: e.message });
      return true;
    }
    switch (path) {
      case '/api/pickup':
        return this.reply(res, await this.pickup(body, screenSession(req)));
      case '/api/staff/session':
        return this.reply(res, this.core.staff.login(str(body.staffId) ?? '', str(body.pin) ?? ''));
      case '/api/staff/logout':
        this.core.staff.logout(bearer(req) ?? '');
        return this.reply(res, { status: 200, body: { result: 'logged-out' } });
      case '/api/staff/load':
        return this.reply(res, await this.core.staff.load(bearer(req) ?? '', str(body.authorizationId) ?? ''));
      case '/api/staff/retrieve':
        return this.reply(res, await this.core.staff.retrieve(bearer(req) ?? '', str(body.authorizationId) ?? '', str(body.reason)));
      case '/api/staff/fault': {
        const ok = this.core.staff.reportFault(bearer(req) ?? '', Number(body.compartment), str(body.kind) ?? 'reported-by-staff');
        return this.reply(res, ok ? { status: 200, body: { result: 'reported' } } : { status: 403, body: { result: 'rejected' } });
      }
      case '/api/staff/lists':
        return this.reply(res, this.lists(bearer(req) ?? ''));
      default:
        sendJson(res, 404, { result: 'not-found' });
        return true;
    }
  }

  private async pickup(body: Record<string, unknown>, session: string | undefined): Promise<{ status: number; body: unknown }> {
    const qr = str(body.qr);
    if (qr !== undefined) return this.residents.pickup({ qr }, session);
    // A missing phone or code is a wrong one: the same uniform answer, counted like any failure.
    return this.residents.pickup({ phone: str(body.phone) ?? '', code: str(body.code) ?? '' }, session);
  }

  private lists(token: string): { status: number; body: unknown } {
    if (this.core.staff.session(token) === undefined) return { status: 401, body: { result: 'session-expired' } };
    const view = (a: AuthorizationRow) => {
      const type = this.core.documentTypes.get(a.document_type);
      return {
        authorizationId: a.id, caseRef: a.case_ref, documentType: a.document_type, documentName: { pl: type?.namePl ?? a.document_type, en: type?.nameEn ?? a.document_type },
        size: a.size, expiresAt: a.expires_at, compartment: a.compartment_id, revoked: a.revoked_reason !== null, accessible: a.accessible === 1,
        attention: a.attention_reason,
      };
    };
    return { status: 200, body: { toLoad: this.core.staff.toLoad().map(view), toRetrieve: this.core.staff.toRetrieve().map(view) } };
  }

  private reply(res: ServerResponse, a: { status: number; body: unknown }): boolean {
    if (a.status >= 500) this.log.warn({ status: a.status }, 'kiosk request could not be served');
    sendJson(res, a.status, a.body);
    return true;
  }
}

/** The screen's own id, sent by the page so that it alone sees its pickup's progress. */
function screenSession(req: IncomingMessage): string | undefined {
  const h = req.headers['x-kiosk-session'];
  return typeof h === 'string' && sessionIdPattern.test(h) ? h : undefined;
}
