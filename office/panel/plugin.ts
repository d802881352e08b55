import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import formbody from '@fastify/formbody';
import { parse as parseCookies } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OfficeContext } from '../context.js';
import { officeSourcePath } from '../paths.js';
import { langOf, type Lang } from './i18n.js';
import { findSession, sessionCookie, type Session } from './sessions.js';
import { authPages } from './pages/auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The clerk whose session the request carried. */
    clerk?: Session | undefined;
    lang: Lang;
    cookies: Record<string, string | undefined>;
  }
}

/** A panel area: its routes, registered inside the panel's hooks (sessions, CSRF, headers). */
export type PanelArea = (app: FastifyInstance, ctx: OfficeContext) => void | Promise<void>;

export interface PanelOptions {
  readonly idleMs: number;
  /** Whether the cookie says `Secure` (on by default; browsers accept it on http://127.0.0.1 too). */
  readonly secureCookie: boolean;
}

/** Pages anyone may open: the login, the style sheet, the language switch. */
const open = new Set(['/login', '/panel.css', '/lang', '/favicon.ico']);

/**
 * The same strict policy as the kiosk's page: nothing but this origin's own files, no inline script or style, and
 * forms only to this origin.
 */
const securityHeaders = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const css = readFileSync(officeSourcePath('panel/panel.css'), 'utf8');

export function cookieHeader(name: string, value: string, o: { maxAgeS?: number; secure: boolean }): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Strict${o.secure ? '; Secure' : ''}${o.maxAgeS === undefined ? '' : `; Max-Age=${o.maxAgeS}`}`;
}

/** The clerks' panel at `/` (contracts.md §7.1): server-rendered pages in Polish and English. */
export function panel(ctx: OfficeContext, o: PanelOptions, areas: readonly PanelArea[]) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    app.decorateRequest('clerk', undefined);
    app.decorateRequest('lang', 'pl');
    app.decorateRequest('cookies', undefined as unknown as Record<string, string | undefined>);

    app.addHook('onRequest', async (req, reply) => {
      req.cookies = parseCookies(req.headers.cookie ?? '');
      req.lang = langOf(req.cookies['lang']);
      req.clerk = await findSession(ctx.db, req.cookies[sessionCookie], o.idleMs, ctx.now());
      void reply.headers(securityHeaders);
      const path = req.url.split('?')[0] ?? '/';
      if (req.clerk !== undefined || open.has(path)) return;
      if (req.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
      return reply.code(403).header('content-type', 'text/plain; charset=utf-8').send('Forbidden: log in first');
    });

    // Every form that changes something: same origin, and the session's synchronizer token.
    app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.method !== 'POST') return;
      if (!sameOrigin(req)) return reply.code(403).header('content-type', 'text/plain; charset=utf-8').send('Forbidden: cross-site request');
      const path = req.url.split('?')[0] ?? '/';
      if (path === '/login') return;
      const sent = (req.body as Record<string, unknown> | undefined)?.['_csrf'];
      if (req.clerk === undefined || typeof sent !== 'string' || !same(sent, req.clerk.csrf)) {
        return reply.code(403).header('content-type', 'text/plain; charset=utf-8').send('Forbidden: the form is stale; reload the page and try again');
      }
    });

    // Browsers ask for it on every site; an empty answer, not a 404 in the console.
    app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
    app.get('/panel.css', async (_req, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css));
    app.get<{ Querystring: { to?: string; back?: string } }>('/lang', async (req, reply) => {
      const to = req.query.to === 'en' ? 'en' : 'pl';
      const back = typeof req.query.back === 'string' && /^\/(?!\/)/.test(req.query.back) ? req.query.back : '/';
      return reply.header('set-cookie', cookieHeader('lang', to, { maxAgeS: 365 * 86_400, secure: o.secureCookie })).redirect(back, 303);
    });
    await authPages(app, ctx, o);
    for (const area of areas) await area(app, ctx);
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The browser's Origin (or, without it, Referer) names this host. */
function sameOrigin(req: FastifyRequest): boolean {
  const source = req.headers.origin ?? req.headers.referer;
  if (typeof source !== 'string') return false;
  try {
    return new URL(source).host === req.headers.host;
  } catch {
    return false;
  }
}
