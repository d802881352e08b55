import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OfficeContext } from '../../context.js';
import { readHistory } from '../../document-history.js';
import type { ConsentHow, DocumentStatus } from '../../documents.js';
import { addDays, warsawDay } from '../../warsaw-dates.js';
import { actorText, consentHowWords, historyText, sizeWords, statusWords } from '../document-words.js';
import { html, type Html } from '../html.js';
import { day, say, when, type Words } from '../i18n.js';
import { csrfField, sendPage } from '../layout.js';
import { maxHoldDays } from './document-form.js';

export interface DocumentRecord {
  id: string;
  locker_id: string;
  locker_name: string;
  case_ref: string;
  document_type: string;
  name_pl: string | null;
  name_en: string | null;
  size: 'S' | 'M' | 'L';
  accessible: boolean;
  consent: boolean;
  consent_how: ConsentHow | null;
  consent_at: Date | null;
  fee_settled: boolean;
  fee_exempt: boolean;
  status: DocumentStatus;
  expires_at: Date;
  compartment: number | null;
  loaded_at: Date | null;
  loaded_by: string | null;
  collected_at: Date | null;
  receipt_id: string | null;
  retrieved_at: Date | null;
  retrieved_reason: string | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  rejected_reason: string | null;
  registered_by: string;
  created_at: Date;
  has_phone: boolean;
}

export async function loadRecord(ctx: OfficeContext, id: string): Promise<DocumentRecord | undefined> {
  const r = await ctx.db.query<DocumentRecord>(
    `SELECT d.id, d.locker_id, l.name AS locker_name, d.case_ref, d.document_type, t.name_pl, t.name_en, d.size, d.accessible, d.consent,
            d.consent_how, d.consent_at, d.fee_settled, d.fee_exempt, d.status, d.expires_at, d.compartment, d.loaded_at, d.loaded_by,
            d.collected_at, d.receipt_id, d.retrieved_at, d.retrieved_reason, d.revoked_at, d.revoked_reason, d.rejected_reason,
            d.registered_by, d.created_at, d.phone_sealed IS NOT NULL AS has_phone
       FROM document d JOIN locker l ON l.id = d.locker_id LEFT JOIN document_type t ON t.code = d.document_type
      WHERE d.id = $1`,
    [id],
  );
  return r.rows[0];
}

/** What a clerk may do to a document in its status (the same rules as documents.ts). */
export const mayRevoke = (d: Pick<DocumentRecord, 'status'>): boolean => d.status === 'pending' || d.status === 'loaded';
export const mayIssueNewCode = (d: Pick<DocumentRecord, 'status' | 'has_phone'>): boolean => (d.status === 'pending' || d.status === 'loaded') && d.has_phone;
export const maySetDeadline = (d: Pick<DocumentRecord, 'status'>): boolean => d.status === 'pending' || d.status === 'loaded';

/** What the page says after an action (the `done` of its address): fixed words, nothing taken from the address. */
export const doneWords: Readonly<Record<string, { words: Words; error?: boolean }>> = {
  registered: { words: { pl: 'Dokument zarejestrowany. SMS z kodem odbioru zostanie wysłany do wnioskodawcy.', en: 'Document registered. The text message with the pickup code will be sent to the resident.' } },
  already: {
    words: {
      pl: 'Ten formularz został już wysłany: dokument jest zarejestrowany i nie zarejestrowano go drugi raz.',
      en: 'This form had already been sent: the document is registered, and was not registered a second time.',
    },
  },
  'notice-failed': {
    error: true,
    words: {
      pl: 'Nie udało się przygotować zawiadomienia PDF (SMS z kodem i tak zostanie wysłany). Aby wydrukować zawiadomienie, wydaj nowy kod.',
      en: 'The PDF notice could not be made (the text message with the code goes out all the same). To print a notice, issue a new code.',
    },
  },
  revoked: { words: { pl: 'Dokument wycofany: urzędomat nie wyda go od najbliższej synchronizacji.', en: 'Document revoked: the locker refuses it from its next pull.' } },
  'new-code': { words: { pl: 'Wydano nowy kod: SMS zostanie wysłany, poprzedni kod przestanie działać.', en: 'A new code was issued: the text message will be sent, the previous code stops working.' } },
  deadline: { words: { pl: 'Termin odbioru zmieniony.', en: 'Deadline changed.' } },
  'not-allowed': { error: true, words: { pl: 'Tej czynności nie można wykonać w obecnym stanie dokumentu.', en: 'That action is not possible in the document’s current status.' } },
};

export interface DetailErrors {
  readonly reason?: Words;
  readonly deadline?: Words;
}

/** Names of the clerks and staff a history mentions, by actor (`clerk:<login>`, `staff:<id>`). */
async function actorNames(ctx: OfficeContext, actors: ReadonlyArray<string | null>): Promise<Map<string, string>> {
  const logins = actors.filter((a): a is string => a?.startsWith('clerk:') === true).map((a) => a.slice(6));
  const staff = actors.filter((a): a is string => a?.startsWith('staff:') === true).map((a) => a.slice(6));
  const names = new Map<string, string>();
  if (logins.length > 0) {
    for (const c of (await ctx.db.query<{ login: string; name: string }>('SELECT login, name FROM clerk WHERE login = ANY($1::text[])', [logins])).rows) names.set(`clerk:${c.login}`, c.name);
  }
  if (staff.length > 0) {
    for (const s of (await ctx.db.query<{ id: string; name: string }>('SELECT id, name FROM staff WHERE id = ANY($1::text[])', [staff])).rows) names.set(`staff:${s.id}`, s.name);
  }
  return names;
}

export async function detailPage(
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: OfficeContext,
  d: DocumentRecord,
  o: { done?: string | undefined; errors?: DetailErrors; status?: number; reason?: string; deadline?: string } = {},
): Promise<FastifyReply> {
  const lang = req.lang;
  const history = await readHistory(ctx.db, d.id);
  const names = await actorNames(ctx, [...history.map((h) => h.actor), d.registered_by]);
  const yes = say(lang, { pl: 'tak', en: 'yes' });
  const no = say(lang, { pl: 'nie', en: 'no' });
  const errors = o.errors ?? {};
  const today = warsawDay(ctx.now());
  const type = (lang === 'pl' ? d.name_pl : d.name_en) ?? d.document_type;
  const fields: Array<[Words, string | Html]> = [
    [{ pl: 'Stan', en: 'Status' }, html`<span class="status status-${d.status}">${say(lang, statusWords[d.status])}</span>`],
    [{ pl: 'Rodzaj dokumentu', en: 'Document type' }, type],
    [{ pl: 'Urzędomat', en: 'Locker' }, `${d.locker_name} (${d.locker_id})`],
    [{ pl: 'Skrytka', en: 'Compartment' }, d.compartment !== null && d.status !== 'pending' ? String(d.compartment) : '—'],
    [{ pl: 'Termin odbioru', en: 'Collect by' }, when(lang, d.expires_at)],
    [{ pl: 'Zarejestrowany', en: 'Registered' }, `${when(lang, d.created_at)}, ${actorText(lang, d.registered_by, names)}`],
    [{ pl: 'Rozmiar skrytki', en: 'Compartment size' }, say(lang, sizeWords[d.size])],
    [{ pl: 'Niska skrytka', en: 'Low compartment' }, d.accessible ? yes : no],
    [
      { pl: 'Zgoda', en: 'Consent' },
      !d.consent ? no : [yes, d.consent_how === null ? '' : say(lang, consentHowWords[d.consent_how]), day(lang, d.consent_at)].filter((x) => x !== '').join(', '),
    ],
    [
      { pl: 'Opłata', en: 'Fee' },
      say(lang, d.fee_exempt ? { pl: 'zwolniony z opłaty', en: 'exempt' } : d.fee_settled ? { pl: 'wniesiona', en: 'paid' } : { pl: 'nie wniesiona', en: 'not paid' }),
    ],
  ];
  if (d.collected_at !== null) fields.push([{ pl: 'Odebrany', en: 'Collected' }, when(lang, d.collected_at)]);
  if (d.receipt_id !== null) fields.push([{ pl: 'Potwierdzenie odbioru', en: 'Receipt' }, d.receipt_id]);
  if (d.retrieved_at !== null) fields.push([{ pl: 'Zabrany z urzędomatu', en: 'Taken back' }, `${when(lang, d.retrieved_at)}, ${d.retrieved_reason ?? ''}`]);
  if (d.revoked_at !== null) fields.push([{ pl: 'Wycofany', en: 'Revoked' }, `${when(lang, d.revoked_at)}, ${d.revoked_reason ?? ''}`]);
  if (d.rejected_reason !== null) fields.push([{ pl: 'Powód odrzucenia', en: 'Reason for rejection' }, d.rejected_reason]);

  const actions: Html[] = [];
  if (maySetDeadline(d)) {
    actions.push(html`<form method="post" action="/documents/${encodeURIComponent(d.id)}/deadline" class="stack">
  ${csrfField(req)}
  <div><label for="deadline">${say(lang, { pl: 'Nowy termin odbioru (do końca dnia)', en: 'New deadline (until the end of the day)' })}</label>
  <input id="deadline" name="deadline" type="date" required min="${today}" max="${addDays(today, maxHoldDays)}" value="${o.deadline ?? warsawDay(d.expires_at)}"${errors.deadline === undefined ? '' : html` aria-invalid="true" aria-describedby="deadline-error"`}>
  ${errors.deadline === undefined ? '' : html`<p class="field-error" id="deadline-error">${say(lang, errors.deadline)}</p>`}</div>
  <div><button type="submit">${say(lang, { pl: 'Zmień termin', en: 'Change the deadline' })}</button></div>
</form>`);
  }
  if (mayIssueNewCode(d)) {
    actions.push(html`<form method="post" action="/documents/${encodeURIComponent(d.id)}/new-code" class="stack">
  ${csrfField(req)}
  <p class="hint" id="new-code-hint">${say(lang, { pl: 'Wnioskodawca dostanie SMS z nowym kodem; dotychczasowy przestanie działać przy najbliższej synchronizacji urzędomatu.', en: 'The resident gets a text message with a new code; the current one stops working at the locker’s next pull.' })}</p>
  <div class="check"><input type="checkbox" id="new-code-notice" name="notice" value="on">
  <label for="new-code-notice">${say(lang, { pl: 'Wydrukuj zawiadomienie z nowym kodem (PDF)', en: 'Print a notice with the new code (PDF)' })}</label></div>
  <div><button type="submit" aria-describedby="new-code-hint">${say(lang, { pl: 'Wydaj nowy kod', en: 'Issue a new code' })}</button></div>
</form>`);
  }
  if (mayRevoke(d)) {
    actions.push(html`<form method="post" action="/documents/${encodeURIComponent(d.id)}/revoke" class="stack">
  ${csrfField(req)}
  <div><label for="reason">${say(lang, { pl: 'Powód wycofania', en: 'Reason for revoking' })}</label>
  <input id="reason" name="reason" required maxlength="200" autocomplete="off" value="${o.reason ?? ''}"${errors.reason === undefined ? '' : html` aria-invalid="true" aria-describedby="reason-error"`}>
  ${errors.reason === undefined ? '' : html`<p class="field-error" id="reason-error">${say(lang, errors.reason)}</p>`}</div>
  <div><button type="submit" class="danger">${say(lang, { pl: 'Wycofaj dokument', en: 'Revoke the document' })}</button></div>
</form>`);
  }

  const body = html`
<table aria-label="${say(lang, { pl: 'Dane dokumentu', en: 'The document' })}"><tbody>
${fields.map(([k, v]) => html`<tr><th scope="row">${say(lang, k)}</th><td>${v}</td></tr>`)}
</tbody></table>

<h2 id="actions">${say(lang, { pl: 'Czynności', en: 'Actions' })}</h2>
${actions.length === 0 ? html`<p>${say(lang, { pl: 'W tym stanie dokumentu nie ma dostępnych czynności.', en: 'No actions are possible in this status.' })}</p>` : html`<div class="actions">${actions}</div>`}

<h2 id="history">${say(lang, { pl: 'Historia', en: 'History' })}</h2>
<table aria-labelledby="history">
<thead><tr><th scope="col">${say(lang, { pl: 'Kiedy', en: 'When' })}</th><th scope="col">${say(lang, { pl: 'Co', en: 'What' })}</th><th scope="col">${say(lang, { pl: 'Kto', en: 'Who' })}</th></tr></thead>
<tbody>
${history.map((h) => html`<tr class="history-${h.what}"><td>${when(lang, h.at)}</td><td>${historyText(lang, h)}</td><td>${actorText(lang, h.actor, names)}</td></tr>`)}
</tbody></table>
<p><a href="/">${say(lang, { pl: '← Wszystkie dokumenty', en: '← All documents' })}</a></p>`;
  const done = o.done !== undefined && Object.hasOwn(doneWords, o.done) ? doneWords[o.done] : undefined;
  return sendPage(req, reply, {
    title: { pl: `Dokument ${d.case_ref}`, en: `Document ${d.case_ref}` },
    body,
    status: o.status ?? 200,
    notice:
      errors.deadline !== undefined || errors.reason !== undefined
        ? { error: true, text: say(lang, { pl: 'Czynność nie została wykonana: popraw pole opisane niżej.', en: 'Nothing was done: correct the field described below.' }) }
        : done === undefined
          ? undefined
          : { text: say(lang, done.words), error: done.error === true },
  });
}
