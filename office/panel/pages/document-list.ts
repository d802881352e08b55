import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OfficeContext } from '../../context.js';
import type { DocumentStatus } from '../../documents.js';
import { addDays, parseDay, warsawDayStart } from '../../warsaw-dates.js';
import { statuses, statusWords } from '../document-words.js';
import { html } from '../html.js';
import { say, when, type Words } from '../i18n.js';
import { sendPage } from '../layout.js';
import { one } from './document-form.js';

/** Documents a page of the list shows. */
export const pageSize = 50;

interface Filters {
  status: string;
  locker: string;
  from: string;
  to: string;
  ref: string;
  page: number;
}

interface Row {
  id: string;
  case_ref: string;
  name_pl: string | null;
  name_en: string | null;
  document_type: string;
  locker_id: string;
  locker_name: string;
  status: DocumentStatus;
  created_at: Date;
  expires_at: Date;
  compartment: number | null;
}

function readFilters(query: unknown): Filters {
  const page = Number(one(query, 'page'));
  return {
    status: one(query, 'status').trim(),
    locker: one(query, 'locker').trim(),
    from: one(query, 'from').trim(),
    to: one(query, 'to').trim(),
    ref: one(query, 'ref').trim().slice(0, 100),
    page: Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1,
  };
}

/** The query string of the list with these filters, on that page (only the filters that are set). */
function listHref(f: Filters, page: number): string {
  const q = new URLSearchParams();
  for (const k of ['status', 'locker', 'from', 'to', 'ref'] as const) if (f[k] !== '') q.set(k, f[k]);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s === '' ? '/' : `/?${s}`;
}

/** Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`. */
const likeLiteral = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `GET /`: the documents, newest first, filtered by status, locker, day registered and case reference. */
export async function listPage(req: FastifyRequest, reply: FastifyReply, ctx: OfficeContext): Promise<FastifyReply> {
  const lang = req.lang;
  const f = readFilters(req.query);
  const lockers = (await ctx.db.query<{ id: string; name: string }>('SELECT id, name FROM locker ORDER BY name, id')).rows;
  const problems: Words[] = [];
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.status !== '') {
    if ((statuses as string[]).includes(f.status)) add((n) => `d.status = ${n}`, f.status);
    else f.status = '';
  }
  if (f.locker !== '') add((n) => `d.locker_id = ${n}`, f.locker);
  if (f.from !== '') {
    const at = warsawDayStart(f.from);
    if (at === undefined) problems.push({ pl: 'Data „od” jest nieprawidłowa i została pominięta.', en: 'The “from” date is invalid and was left out.' });
    else add((n) => `d.created_at >= ${n}`, at);
  }
  if (f.to !== '') {
    const at = parseDay(f.to) === undefined ? undefined : warsawDayStart(addDays(f.to, 1));
    if (at === undefined) problems.push({ pl: 'Data „do” jest nieprawidłowa i została pominięta.', en: 'The “to” date is invalid and was left out.' });
    else add((n) => `d.created_at < ${n}`, at);
  }
  if (f.ref !== '') add((n) => `d.case_ref ILIKE '%' || ${n} || '%' ESCAPE '\\'`, likeLiteral(f.ref));
  const filter = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;

  const total = Number((await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM document d ${filter}`, params)).rows[0]?.n ?? 0);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(f.page, pages);
  const rows = (
    await ctx.db.query<Row>(
      `SELECT d.id, d.case_ref, t.name_pl, t.name_en, d.document_type, d.locker_id, l.name AS locker_name, d.status, d.created_at, d.expires_at, d.compartment
         FROM document d JOIN locker l ON l.id = d.locker_id LEFT JOIN document_type t ON t.code = d.document_type
         ${filter}
        ORDER BY d.created_at DESC, d.id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    )
  ).rows;

  const any = say(lang, { pl: 'wszystkie', en: 'all' });
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = (page - 1) * pageSize + rows.length;
  const body = html`
<form method="get" action="/" class="filters" role="search" aria-label="${say(lang, { pl: 'Filtry', en: 'Filters' })}">
  <div><label for="f-status">${say(lang, { pl: 'Stan', en: 'Status' })}</label>
  <select id="f-status" name="status"><option value="">${any}</option>
  ${statuses.map((s) => html`<option value="${s}"${f.status === s ? html` selected` : ''}>${say(lang, statusWords[s])}</option>`)}</select></div>
  <div><label for="f-locker">${say(lang, { pl: 'Urzędomat', en: 'Locker' })}</label>
  <select id="f-locker" name="locker"><option value="">${any}</option>
  ${lockers.map((l) => html`<option value="${l.id}"${f.locker === l.id ? html` selected` : ''}>${l.name}</option>`)}</select></div>
  <div><label for="f-from">${say(lang, { pl: 'Zarejestrowany od', en: 'Registered from' })}</label>
  <input id="f-from" name="from" type="date" value="${f.from}"></div>
  <div><label for="f-to">${say(lang, { pl: 'Zarejestrowany do', en: 'Registered until' })}</label>
  <input id="f-to" name="to" type="date" value="${f.to}"></div>
  <div><label for="f-ref">${say(lang, { pl: 'Znak sprawy zawiera', en: 'Case reference contains' })}</label>
  <input id="f-ref" name="ref" type="search" maxlength="100" value="${f.ref}"></div>
  <div><button type="submit">${say(lang, { pl: 'Pokaż', en: 'Show' })}</button> <a href="/">${say(lang, { pl: 'Wyczyść filtry', en: 'Clear filters' })}</a></div>
</form>
<p class="muted" id="count" role="status">${total === 0
    ? say(lang, { pl: 'Brak dokumentów spełniających warunki.', en: 'No documents match.' })
    : say(lang, { pl: `Dokumenty ${first}–${last} z ${total} (strona ${page} z ${pages})`, en: `Documents ${first}–${last} of ${total} (page ${page} of ${pages})` })}</p>
${rows.length === 0
  ? ''
  : html`<table aria-describedby="count">
<caption class="visually-hidden">${say(lang, { pl: 'Dokumenty', en: 'Documents' })}</caption>
<thead><tr>
  <th scope="col">${say(lang, { pl: 'Znak sprawy', en: 'Case reference' })}</th>
  <th scope="col">${say(lang, { pl: 'Rodzaj dokumentu', en: 'Document type' })}</th>
  <th scope="col">${say(lang, { pl: 'Urzędomat', en: 'Locker' })}</th>
  <th scope="col">${say(lang, { pl: 'Stan', en: 'Status' })}</th>
  <th scope="col">${say(lang, { pl: 'Zarejestrowany', en: 'Registered' })}</th>
  <th scope="col">${say(lang, { pl: 'Termin odbioru', en: 'Collect by' })}</th>
  <th scope="col">${say(lang, { pl: 'Skrytka', en: 'Compartment' })}</th>
</tr></thead>
<tbody>
${rows.map(
  (r) => html`<tr>
  <th scope="row"><a href="/documents/${encodeURIComponent(r.id)}">${r.case_ref}</a></th>
  <td>${(lang === 'pl' ? r.name_pl : r.name_en) ?? r.document_type}</td>
  <td>${r.locker_name}</td>
  <td class="status status-${r.status}">${say(lang, statusWords[r.status])}</td>
  <td>${when(lang, r.created_at)}</td>
  <td>${when(lang, r.expires_at)}</td>
  <td>${r.compartment !== null && r.status !== 'pending' ? r.compartment : ''}</td>
</tr>`,
)}
</tbody></table>`}
${pages > 1
  ? html`<nav class="pager" aria-label="${say(lang, { pl: 'Strony', en: 'Pages' })}">
  ${page > 1 ? html`<a href="${listHref(f, page - 1)}" rel="prev">${say(lang, { pl: '← Poprzednia strona', en: '← Previous page' })}</a>` : ''}
  ${page < pages ? html`<a href="${listHref(f, page + 1)}" rel="next">${say(lang, { pl: 'Następna strona →', en: 'Next page →' })}</a>` : ''}
</nav>`
  : ''}`;
  return sendPage(req, reply, {
    title: { pl: 'Dokumenty', en: 'Documents' },
    body,
    notice: problems.length === 0 ? undefined : { error: true, text: problems.map((p) => say(lang, p)).join(' ') },
  });
}
