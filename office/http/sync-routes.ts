import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signedAck } from '../../src/wire/ack.js';
import { eventMacHeader, eventsMacValid } from '../../src/wire/event-mac.js';
import { pushBodySchema } from '../../src/wire/events.js';
import type { OfficeContext } from '../context.js';
import { takeEvents } from '../events.js';
import { feedBatch } from '../feed.js';
import type { LockerKeys } from '../lockers.js';
import type { PullRecorder } from '../pull-recorder.js';
import { bearer } from '../tokens.js';
import type { AuthFailureLimiter } from './auth-failures.js';
import { officeMetrics } from './metrics.js';

interface LockerParams {
  lockerId: string;
}

/** The lockers' side (contracts.md §5): the signed feed and the event push with its signed acknowledgement. */
export function syncRoutes(ctx: OfficeContext, limiter: AuthFailureLimiter, pulls: PullRecorder) {
  return async (app: FastifyInstance): Promise<void> => {
    const metrics = officeMetrics(ctx);
    // The push's MAC is over the exact body bytes: keep them, parse only after the MAC verified.
    app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 }, (_req, body, done) => done(null, body));

    /** The locker the request's token belongs to, if it is the one in the path; otherwise answered 401/429. */
    async function authenticate(req: FastifyRequest<{ Params: LockerParams }>, reply: FastifyReply): Promise<LockerKeys | undefined> {
      const wait = limiter.blockedFor(req.ip);
      if (wait > 0) {
        await reply.code(429).header('retry-after', String(wait)).send({ error: 'too-many-failures', retryAfterS: wait });
        return undefined;
      }
      const token = bearer(req.headers.authorization);
      const keys = token === undefined ? undefined : await ctx.lockers.byToken(token);
      if (keys === undefined || keys.id !== req.params.lockerId) {
        limiter.failed(req.ip);
        req.log.warn({ lockerId: req.params.lockerId }, 'locker request with a token that does not verify');
        await reply.code(401).send({ error: 'unauthorized' });
        return undefined;
      }
      return keys;
    }

    // Machine traffic, a few hundred requests a second across a fleet: only what goes wrong is logged (the
    // pulls themselves are recorded as each locker's health).
    const quiet = { logLevel: 'warn' } as const;

    app.get<{ Params: LockerParams; Querystring: { after?: string; outbox?: string } }>('/v1/lockers/:lockerId/feed', quiet, async (req, reply) => {
      const keys = await authenticate(req, reply);
      if (keys === undefined) return reply;
      const after = req.query.after ?? '0';
      if (!/^\d{1,15}$/.test(after)) return reply.code(400).send({ error: 'bad-request' });
      const answer = await feedBatch(ctx, keys.id, Number(after));
      if (!answer.ok) {
        req.log.error({ lockerId: keys.id, after: Number(after), head: answer.head }, 'locker is ahead of the office log: was the database restored from an old backup?');
        metrics.pulls.inc({ locker: keys.id, outcome: 'cursor-ahead' });
        return reply.code(409).send({ error: 'cursor-ahead', head: answer.head });
      }
      // `outbox`: how many events the locker holds unacknowledged (our addition to §5.2; an older locker omits it).
      const waiting = typeof req.query.outbox === 'string' && /^\d{1,9}$/.test(req.query.outbox) ? Number(req.query.outbox) : null;
      pulls.record(keys.id, Number(after), ctx.now(), waiting);
      metrics.pulls.inc({ locker: keys.id, outcome: 'served' });
      return reply.header('content-type', 'application/json').send(answer.envelope);
    });

    app.post<{ Params: LockerParams; Body: Buffer }>('/v1/lockers/:lockerId/events', quiet, async (req, reply) => {
      const keys = await authenticate(req, reply);
      if (keys === undefined) return reply;
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const mac = req.headers[eventMacHeader];
      if (!eventsMacValid(keys.eventsKey, raw, typeof mac === 'string' ? mac : undefined)) {
        limiter.failed(req.ip);
        req.log.warn({ lockerId: keys.id }, 'event push refused: its MAC does not verify; nothing recorded');
        return reply.code(401).send({ error: 'bad-mac' });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply.code(400).send({ error: 'bad-request' });
      }
      const body = pushBodySchema.safeParse(parsed);
      if (!body.success) return reply.code(400).send({ error: 'bad-request' });
      const intake = await takeEvents(ctx, keys.id, body.data.events);
      metrics.pushes.inc({ locker: keys.id });
      metrics.eventsReceived.inc({ locker: keys.id }, body.data.events.length);
      metrics.eventsStored.inc({ locker: keys.id }, intake.stored);
      metrics.eventConflicts.inc({ locker: keys.id }, intake.conflicts);
      if (intake.conflicts > 0) req.log.error({ lockerId: keys.id, conflicts: intake.conflicts }, 'events resent with other content under a seen seq: kept the first, recorded the others');
      const ack = signedAck({ lockerId: keys.id, ackedThrough: intake.ackedThrough, serverTime: ctx.now().toISOString() }, ctx.signing.privateKey, ctx.signing.keyId);
      return reply.header('content-type', 'application/json').send(ack);
    });
  };
}
