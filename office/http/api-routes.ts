import type { FastifyInstance } from 'fastify';
import { ApiTokenCache } from '../api-tokens.js';
import type { OfficeContext } from '../context.js';
import { issueNewCode, readDocument, registerDocument, revokeDocument, setDeadline, type ChangeOutcome, type Registration } from '../documents.js';
import { lockerHealth } from '../locker-health.js';
import { deactivateStaff, upsertStaff } from '../staff.js';
import { bearer } from '../tokens.js';
import type { AuthFailureLimiter } from './auth-failures.js';
import { deadlineBody, idParams, registerBody, responses, revokeBody, staffBody } from './api-schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The system whose API token the request carried. */
    apiClient?: string;
  }
}

/** The integration API of contracts.md §7.3 under /api/v1, for the city's document system. */
export function apiRoutes(ctx: OfficeContext, limiter: AuthFailureLimiter, onQueued: () => void) {
  const tokens = new ApiTokenCache(ctx.db);
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', async (req, reply) => {
      const wait = limiter.blockedFor(req.ip);
      if (wait > 0) return reply.code(429).header('retry-after', String(wait)).send({ error: 'too-many-failures', retryAfterS: wait });
      const token = bearer(req.headers.authorization);
      const owner = token === undefined ? undefined : await tokens.owner(token);
      if (owner === undefined) {
        limiter.failed(req.ip);
        return reply.code(401).send({ error: 'unauthorized' });
      }
      req.apiClient = owner;
      return undefined;
    });

    const changeReply = (outcome: ChangeOutcome): [number, object] =>
      outcome.ok ? [200, { status: outcome.status }] : outcome.error === 'not-found' ? [404, { error: 'not-found' }] : [409, { error: 'not-allowed-in-status', status: outcome.status ?? '' }];

    app.post<{ Body: Registration }>('/api/v1/documents', { schema: { body: registerBody, response: responses.registered } }, async (req, reply) => {
      const out = await registerDocument(ctx, req.body, `api:${req.apiClient ?? '?'}`);
      if (!out.ok) return reply.code(422).send({ error: out.error });
      onQueued();
      req.log.info({ document: out.id, lockerId: req.body.lockerId }, 'document registered');
      return reply.code(201).send({ id: out.id, status: out.status, expiresAt: out.expiresAt });
    });

    app.get<{ Params: { id: string } }>('/api/v1/documents/:id', { schema: { params: idParams, response: responses.document } }, async (req, reply) => {
      const d = await readDocument(ctx, req.params.id);
      return d === undefined ? reply.code(404).send({ error: 'not-found' }) : reply.send(d);
    });

    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/api/v1/documents/:id/revoke',
      { schema: { params: idParams, body: revokeBody, response: responses.status } },
      async (req, reply) => {
        const [code, body] = changeReply(await revokeDocument(ctx, req.params.id, req.body.reason, `api:${req.apiClient ?? '?'}`));
        if (code === 200) req.log.info({ document: req.params.id }, 'document revoked');
        return reply.code(code).send(body);
      },
    );

    app.post<{ Params: { id: string } }>('/api/v1/documents/:id/new-code', { schema: { params: idParams, response: responses.status } }, async (req, reply) => {
      const [code, body] = changeReply(await issueNewCode(ctx, req.params.id, `api:${req.apiClient ?? '?'}`));
      if (code === 200) {
        onQueued();
        req.log.info({ document: req.params.id }, 'new code issued');
      }
      return reply.code(code).send(body);
    });

    app.post<{ Params: { id: string }; Body: { expiresAt: string } }>(
      '/api/v1/documents/:id/deadline',
      { schema: { params: idParams, body: deadlineBody, response: responses.status } },
      async (req, reply) => {
        const at = Date.parse(req.body.expiresAt);
        if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T/.test(req.body.expiresAt)) return reply.code(400).send({ error: 'bad-request' });
        const [code, body] = changeReply(await setDeadline(ctx, req.params.id, new Date(at), `api:${req.apiClient ?? '?'}`));
        return reply.code(code).send(body);
      },
    );

    app.post<{ Body: { id: string; name: string; pin: string; roles: string[] } }>('/api/v1/staff', { schema: { body: staffBody, response: responses.staff } }, async (req, reply) => {
      if (!/^\d{4,8}$/.test(req.body.pin)) return reply.code(422).send({ error: 'invalid-pin' });
      const r = await upsertStaff(ctx, req.body);
      req.log.info({ staffId: req.body.id, lockers: r.lockers }, r.created ? 'staff added' : 'staff PIN set');
      return reply.code(r.created ? 201 : 200).send({ id: req.body.id, active: true, lockers: r.lockers });
    });

    app.delete<{ Params: { id: string } }>('/api/v1/staff/:id', { schema: { params: idParams, response: responses.staff } }, async (req, reply) => {
      const found = await deactivateStaff(ctx, req.params.id);
      if (!found) return reply.code(404).send({ error: 'not-found' });
      req.log.info({ staffId: req.params.id }, 'staff deactivated');
      return reply.send({ id: req.params.id, active: false });
    });

    app.get<{ Params: { id: string } }>('/api/v1/lockers/:id', { schema: { params: idParams, response: responses.locker } }, async (req, reply) => {
      const h = await lockerHealth(ctx.db, req.params.id);
      return h === undefined ? reply.code(404).send({ error: 'not-found' }) : reply.send(h);
    });
  };
}
