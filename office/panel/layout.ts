import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type Html } from './html.js';
import { say, type Lang, type Words } from './i18n.js';

/** The words of the shell every page shares. */
const nav: ReadonlyArray<{ href: string; label: Words; admin?: boolean }> = [
  { href: '/', label: { pl: 'Dokumenty', en: 'Documents' } },
  { href: '/documents/new', label: { pl: 'Nowy dokument', en: 'New document' } },
  { href: '/lockers', label: { pl: 'Urzędomaty', en: 'Lockers' } },
  { href: '/stats', label: { pl: 'Statystyki', en: 'Statistics' } },
  { href: '/staff', label: { pl: 'Pracownicy', en: 'Staff' }, admin: true },
  { href: '/catalogue', label: { pl: 'Katalog dokumentów', en: 'Document catalogue' }, admin: true },
];

/** A hidden field with the session's CSRF token: every form that changes something carries it. */
export function csrfField(req: FastifyRequest): Html {
  return html`<input type="hidden" name="_csrf" value="${req.clerk?.csrf ?? ''}">`;
}

export interface PageOptions {
  readonly title: Words;
  readonly body: Html;
  /** A message at the top, e.g. after a redirect: `role=status` for news, `role=alert` for errors. */
  readonly notice?: { readonly text: string; readonly error?: boolean } | undefined;
  readonly status?: number;
}

export function sendPage(req: FastifyRequest, reply: FastifyReply, o: PageOptions): FastifyReply {
  const lang = req.lang;
  const title = say(lang, o.title);
  const here = req.url.split('?')[0] ?? '/';
  const other: Lang = lang === 'pl' ? 'en' : 'pl';
  const clerk = req.clerk;
  const page = html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · urzędomat</title>
<link rel="stylesheet" href="/panel.css">
</head>
<body>
<a class="skip" href="#main">${say(lang, { pl: 'Przejdź do treści', en: 'Skip to content' })}</a>
<header>
  <p class="brand">urzędomat · ${say(lang, { pl: 'Urząd Stanu Cywilnego w Częstochowie', en: 'Civil Registry Office, Częstochowa' })}</p>
  ${clerk === undefined ? '' : html`<nav aria-label="${say(lang, { pl: 'Menu', en: 'Menu' })}"><ul>${nav
    .filter((n) => n.admin !== true || clerk.admin)
    .map((n) => html`<li><a href="${n.href}"${n.href === here ? html` aria-current="page"` : ''}>${say(lang, n.label)}</a></li>`)}</ul></nav>`}
  <div class="who">
    <a href="/lang?to=${other}&amp;back=${encodeURIComponent(req.url)}" lang="${other}">${other === 'en' ? 'English' : 'Polski'}</a>
    ${clerk === undefined ? '' : html`<span>${clerk.name}${clerk.admin ? html` (${say(lang, { pl: 'administrator', en: 'administrator' })})` : ''}</span>
    <form method="post" action="/logout" class="inline">${csrfField(req)}<button type="submit">${say(lang, { pl: 'Wyloguj', en: 'Log out' })}</button></form>`}
  </div>
</header>
<main id="main">
<h1>${title}</h1>
${o.notice === undefined ? '' : html`<p class="notice${o.notice.error === true ? ' error' : ''}" role="${o.notice.error === true ? 'alert' : 'status'}">${o.notice.text}</p>`}
${o.body}
</main>
</body>
</html>
`;
  return reply.code(o.status ?? 200).header('content-type', 'text/html; charset=utf-8').send(page.text);
}
