import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { OfficeContext } from '../context.js';
import type { PullRecorder } from '../pull-recorder.js';
import { apiRoutes } from './api-routes.js';
import { AuthFailureLimiter } from './auth-failures.js';
import { metricsRoutes } from './metrics.js';
import { syncRoutes } from './sync-routes.js';
import { panelAreas } from '../panel/areas.js';
import { panel } from '../panel/plugin.js';

/**
 * The office's HTTP face: the lockers' sync endpoints (§5) and the integration API (§7.3). Built without
 * listening, so tests can `inject` requests; `service.ts` listens.
 */
export async function buildOfficeApp(ctx: OfficeContext, pulls: PullRecorder, onSmsQueued: () => void, limiter = new AuthFailureLimiter()): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Unknown fields are refused, not stripped; "1" is not a number.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true } },
    return503OnClosing: true,
  });
  app.setErrorHandler(async (err: { statusCode?: number; validation?: unknown; message: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (err.validation !== undefined || (status >= 400 && status < 500)) {
      return reply.code(status === 413 ? 413 : 400).send({ error: status === 413 ? 'too-large' : 'bad-request' });
    }
    req.log.error({ err: err.message }, 'request failed');
    return reply.code(500).send({ error: 'internal' });
  });
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send({ error: 'not-found' }));
  await app.register(syncRoutes(ctx, limiter, pulls));
  await app.register(metricsRoutes(ctx, limiter));
  await app.register(apiRoutes(ctx, limiter, onSmsQueued));
  await app.register(panel(ctx, { idleMs: ctx.config.panel.idleMinutes * 60_000, secureCookie: ctx.config.panel.secureCookie }, panelAreas));
  return app;
}
