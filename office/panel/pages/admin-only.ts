import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../html.js';
import { say } from '../i18n.js';
import { sendPage } from '../layout.js';

/**
 * A route hook for the areas only the office's administrators use (staff, the catalogue): anyone else gets a
 * 403 page in their language saying whom to ask. It runs after the panel's own hooks, so a POST has already
 * passed the session, origin and CSRF checks.
 */
export async function adminOnly(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (req.clerk?.admin === true) return undefined;
  req.log.warn({ login: req.clerk?.login, url: req.url.split('?')[0], method: req.method }, 'panel: admin area refused to a non-admin');
  return sendPage(req, reply, {
    title: { pl: 'Brak uprawnień', en: 'Not allowed' },
    status: 403,
    body: html`<p>${say(req.lang, {
      pl: 'Tę część panelu (pracownicy obsługujący urzędomaty i katalog dokumentów) może otwierać tylko administrator. Jeśli potrzebujesz tu coś zmienić, poproś administratora urzędu.',
      en: 'Only an administrator may open this part of the panel (the staff who serve the lockers and the document catalogue). If something here needs changing, ask one of the office’s administrators.',
    })}</p>
<p><a href="/">${say(req.lang, { pl: 'Wróć do listy dokumentów', en: 'Back to the documents' })}</a></p>`,
  });
}

/** One value of a urlencoded form field: a repeated field (or none) is the empty string. */
export function field(body: unknown, name: string): string {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : '';
}

/** Every value of a repeated field (checkboxes), whether the parser gave one string or an array. */
export function fields(body: unknown, name: string): string[] {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
