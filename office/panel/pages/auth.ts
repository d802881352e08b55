import type { FastifyInstance } from 'fastify';
import type { OfficeContext } from '../../context.js';
import { html } from '../html.js';
import { say } from '../i18n.js';
import { sendPage } from '../layout.js';
import { checkLogin } from '../login.js';
import { cookieHeader, type PanelOptions } from '../plugin.js';
import { createSession, endSession, sessionCookie } from '../sessions.js';

/** Where to go after logging in: only a path of this site. */
const safeNext = (next: unknown): string => (typeof next === 'string' && /^\/(?!\/)/.test(next) && !next.startsWith('/login') ? next : '/');

export async function authPages(app: FastifyInstance, ctx: OfficeContext, o: PanelOptions): Promise<void> {
  const loginPage = (lang: 'pl' | 'en', next: string, login = '') => html`
<form method="post" action="/login" class="stack">
  <input type="hidden" name="next" value="${next}">
  <div><label for="login">${say(lang, { pl: 'Login', en: 'Login' })}</label>
  <input id="login" name="login" autocomplete="username" required value="${login}" autofocus></div>
  <div><label for="password">${say(lang, { pl: 'Hasło', en: 'Password' })}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required></div>
  <div><button type="submit">${say(lang, { pl: 'Zaloguj', en: 'Log in' })}</button></div>
</form>`;

  app.get<{ Querystring: { next?: string } }>('/login', async (req, reply) =>
    sendPage(req, reply, { title: { pl: 'Logowanie', en: 'Log in' }, body: loginPage(req.lang, safeNext(req.query.next)) }),
  );

  app.post<{ Body: Record<string, string | undefined> }>('/login', async (req, reply) => {
    const login = String(req.body?.login ?? '').trim().toLowerCase();
    const password = String(req.body?.password ?? '');
    const next = safeNext(req.body?.next);
    const outcome = login === '' || password === '' ? ({ ok: false } as const) : await checkLogin(ctx.db, login, password, ctx.now());
    if (!outcome.ok) {
      req.log.warn({ login, locked: outcome.lockedForS !== undefined }, 'panel login refused');
      const text =
        outcome.lockedForS !== undefined
          ? say(req.lang, {
              pl: `Zbyt wiele nieudanych prób: logowanie na to konto jest zablokowane na ${Math.ceil(outcome.lockedForS / 60)} min. Spróbuj później albo poproś administratora.`,
              en: `Too many failed attempts: this login is locked for ${Math.ceil(outcome.lockedForS / 60)} min. Try again later or ask an administrator.`,
            })
          : say(req.lang, { pl: 'Nieprawidłowy login lub hasło.', en: 'Wrong login or password.' });
      return sendPage(req, reply, { title: { pl: 'Logowanie', en: 'Log in' }, body: loginPage(req.lang, next, login), notice: { text, error: true }, status: 401 });
    }
    const value = await createSession(ctx.db, login, ctx.now());
    req.log.info({ login }, 'clerk logged in');
    return reply.header('set-cookie', cookieHeader(sessionCookie, value, { secure: o.secureCookie })).redirect(next, 303);
  });

  app.post('/logout', async (req, reply) => {
    if (req.clerk !== undefined) await endSession(ctx.db, req.clerk.idHash);
    return reply.header('set-cookie', cookieHeader(sessionCookie, '', { maxAgeS: 0, secure: o.secureCookie })).redirect('/login', 303);
  });
}
