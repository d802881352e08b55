import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { normalizePhone } from '../../../src/wire/credentials.js';
import { hardDenyReason, typeMayUseLocker, type DocumentType } from '../../../src/wire/policy.js';
import type { OfficeContext } from '../../context.js';
import type { ConsentHow, RegisterRefusal, Registration } from '../../documents.js';
import { codeMessage, warsawDeadline } from '../../sms/message.js';
import { addDays, warsawDay, warsawDayEnd, warsawDayStart } from '../../warsaw-dates.js';
import { catalogueSaysNo, consentHowWords, feeWords, hardDenyWords, sizeWords, type FeeChoice } from '../document-words.js';
import { html, type Html } from '../html.js';
import { say, type Lang, type Words } from '../i18n.js';
import { csrfField, sendPage } from '../layout.js';

/**
 * The registration form of the clerks' panel (issue 16): what the clerk fills in, its checks (the same policy as
 * the office and the locker: src/wire/policy.ts), and the preview of what the resident will receive.
 */

export interface CatalogueType extends DocumentType {
  /** Why it may not go in the locker; undefined when it may. */
  readonly refusal: Words | undefined;
}

export interface Choices {
  readonly lockers: ReadonlyArray<{ readonly id: string; readonly name: string }>;
  readonly types: readonly CatalogueType[];
}

/** The lockers and the catalogue, each type judged by the policy the locker applies. */
export async function loadChoices(ctx: OfficeContext): Promise<Choices> {
  const lockers = (await ctx.db.query<{ id: string; name: string }>('SELECT id, name FROM locker ORDER BY name, id')).rows;
  const rows = await ctx.db.query<{ code: string; name_pl: string; name_en: string; locker_release: boolean; legal_basis: string }>(
    'SELECT code, name_pl, name_en, locker_release, legal_basis FROM document_type ORDER BY name_pl, code',
  );
  const types = rows.rows.map((t): CatalogueType => {
    const type: DocumentType = { code: t.code, namePl: t.name_pl, nameEn: t.name_en, lockerRelease: t.locker_release, legalBasis: t.legal_basis };
    const hard = hardDenyReason(type);
    const refusal = typeMayUseLocker(type) ? undefined : hard !== undefined ? hardDenyWords[hard] : catalogueSaysNo;
    return { ...type, refusal };
  });
  return { lockers, types };
}

export const typeName = (lang: Lang, t: Pick<DocumentType, 'namePl' | 'nameEn'>): string => (lang === 'pl' ? t.namePl : t.nameEn);

/** The form's fields, as posted (application/x-www-form-urlencoded): every value a string. */
export interface FormValues {
  locker: string;
  caseRef: string;
  documentType: string;
  phone: string;
  size: string;
  accessible: boolean;
  consent: boolean;
  consentHow: string;
  consentAt: string;
  fee: string;
  deadline: string;
  notice: boolean;
  /** Names this filling of the form, so that sending it twice (a double click, the back button) registers once. */
  formId: string;
}

export type Field = Exclude<keyof FormValues, 'formId' | 'notice'>;
export type Errors = Partial<Record<Field, Words>>;

/** One value of a posted field: the first, when a field was sent twice. */
export function one(body: unknown, key: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[key];
  const first = Array.isArray(v) ? (v as unknown[])[0] : v;
  return typeof first === 'string' ? first : '';
}

const checked = (body: unknown, key: string): boolean => one(body, key) !== '';

export function readForm(body: unknown): FormValues {
  return {
    locker: one(body, 'locker').trim(),
    caseRef: one(body, 'caseRef').trim(),
    documentType: one(body, 'documentType').trim(),
    phone: one(body, 'phone').trim(),
    size: one(body, 'size').trim(),
    accessible: checked(body, 'accessible'),
    consent: checked(body, 'consent'),
    consentHow: one(body, 'consentHow').trim(),
    consentAt: one(body, 'consentAt').trim(),
    fee: one(body, 'fee').trim(),
    deadline: one(body, 'deadline').trim(),
    notice: checked(body, 'notice'),
    formId: /^[A-Za-z0-9-]{8,64}$/.test(one(body, 'formId')) ? one(body, 'formId') : randomUUID(),
  };
}

/** The longest deadline a clerk may give, in days from today. */
export const maxHoldDays = 60;

export function blankForm(ctx: OfficeContext, choices: Choices): FormValues {
  const today = warsawDay(ctx.now());
  return {
    locker: choices.lockers.length === 1 ? choices.lockers[0]!.id : '',
    caseRef: '', documentType: '', phone: '', size: 'S', accessible: false, consent: false, consentHow: '', consentAt: today, fee: '',
    deadline: addDays(today, ctx.config.pickup.holdDays), notice: false, formId: randomUUID(),
  };
}

export interface Checked {
  readonly errors: Errors;
  /** Set when there are no errors. */
  readonly registration?: Registration;
  readonly phone?: string;
  readonly type?: CatalogueType;
  readonly lockerName?: string;
}

const consentHows = new Set<string>(Object.keys(consentHowWords));
const fees = new Set<string>(Object.keys(feeWords));

/**
 * The deadline a clerk picked, as the instant it ends (the day's last second, Warsaw time); or the error. A new
 * document's deadline is tomorrow at the earliest (staff must load it first); a deadline changed later may be today.
 */
export function deadlineOf(now: Date, day: string, earliest: 'today' | 'tomorrow'): { at: Date } | { error: Words } {
  const at = warsawDayEnd(day);
  const today = warsawDay(now);
  if (at === undefined) return { error: { pl: 'Podaj datę w postaci RRRR-MM-DD.', en: 'Give a date as YYYY-MM-DD.' } };
  if (at <= now) return { error: { pl: 'Termin odbioru musi przypadać w przyszłości.', en: 'The deadline must be in the future.' } };
  if (earliest === 'tomorrow' && day <= today) return { error: { pl: 'Termin odbioru może przypadać najwcześniej jutro.', en: 'The deadline may be tomorrow at the earliest.' } };
  if (day > addDays(today, maxHoldDays)) {
    return { error: { pl: `Termin odbioru może przypadać najpóźniej za ${maxHoldDays} dni.`, en: `The deadline may be at most ${maxHoldDays} days ahead.` } };
  }
  return { at };
}

export function checkForm(ctx: OfficeContext, v: FormValues, choices: Choices): Checked {
  const errors: Errors = {};
  const now = ctx.now();
  const locker = choices.lockers.find((l) => l.id === v.locker);
  if (locker === undefined) errors.locker = { pl: 'Wybierz urzędomat.', en: 'Choose a locker.' };
  if (v.caseRef === '') errors.caseRef = { pl: 'Podaj znak sprawy.', en: 'Give the case reference.' };
  else if (v.caseRef.length > 100 || /\p{Cc}/u.test(v.caseRef)) errors.caseRef = { pl: 'Znak sprawy może mieć najwyżej 100 znaków.', en: 'The case reference may have at most 100 characters.' };
  const type = choices.types.find((t) => t.code === v.documentType);
  if (v.documentType === '') errors.documentType = { pl: 'Wybierz rodzaj dokumentu.', en: 'Choose the document type.' };
  else if (type === undefined) errors.documentType = { pl: 'Nie ma takiego rodzaju dokumentu w katalogu.', en: 'There is no such document type in the catalogue.' };
  else if (type.refusal !== undefined) {
    errors.documentType = { pl: `Tego dokumentu nie wolno wydać w urzędomacie: ${type.refusal.pl}.`, en: `This document may not be handed over by the locker: ${type.refusal.en}.` };
  }
  const phone = normalizePhone(v.phone);
  if (phone === undefined) errors.phone = { pl: 'Numer telefonu ma 9 cyfr (może go poprzedzać +48).', en: 'A phone number has 9 digits (+48 may come before them).' };
  if (v.size !== 'S' && v.size !== 'M' && v.size !== 'L') errors.size = { pl: 'Wybierz rozmiar: S, M albo L.', en: 'Choose a size: S, M or L.' };
  if (!v.consent) errors.consent = { pl: 'Bez zgody wnioskodawcy dokumentu nie można wydać w urzędomacie.', en: 'Without the resident’s consent the document cannot go in the locker.' };
  if (!consentHows.has(v.consentHow)) errors.consentHow = { pl: 'Wybierz, jak wnioskodawca wyraził zgodę.', en: 'Choose how the resident gave consent.' };
  const consentAt = warsawDayStart(v.consentAt);
  if (consentAt === undefined) errors.consentAt = { pl: 'Podaj datę zgody w postaci RRRR-MM-DD.', en: 'Give the date of consent as YYYY-MM-DD.' };
  else if (v.consentAt > warsawDay(now)) errors.consentAt = { pl: 'Data zgody nie może być późniejsza niż dziś.', en: 'The date of consent cannot be after today.' };
  if (!fees.has(v.fee)) errors.fee = { pl: 'Zaznacz, czy opłata została wniesiona.', en: 'Say whether the fee was paid.' };
  const deadline = deadlineOf(now, v.deadline, 'tomorrow');
  if ('error' in deadline) errors.deadline = deadline.error;

  if (Object.keys(errors).length > 0 || locker === undefined || type === undefined || phone === undefined || consentAt === undefined || 'error' in deadline) return { errors };
  const fee = v.fee as FeeChoice;
  return {
    errors,
    phone,
    type,
    lockerName: locker.name,
    registration: {
      lockerId: locker.id, caseRef: v.caseRef, documentType: type.code, phone, size: v.size as 'S' | 'M' | 'L', accessible: v.accessible, consent: true,
      feeSettled: fee !== 'unpaid', feeExempt: fee === 'exempt', consentHow: v.consentHow as ConsentHow, consentAt, expiresAt: deadline.at,
    },
  };
}

/** A refusal of registerDocument (the same as the API's 422), put on its field. */
export function refusalError(r: RegisterRefusal): [Field, Words] {
  switch (r) {
    case 'document-type-not-allowed':
      return ['documentType', { pl: 'Tego rodzaju dokumentu nie wolno wydać w urzędomacie.', en: 'This document type may not be handed over by the locker.' }];
    case 'no-consent':
      return ['consent', { pl: 'Brak zgody wnioskodawcy.', en: 'The resident’s consent is missing.' }];
    case 'unknown-locker':
      return ['locker', { pl: 'Nie ma takiego urzędomatu.', en: 'There is no such locker.' }];
    case 'invalid-phone':
      return ['phone', { pl: 'Nieprawidłowy numer telefonu.', en: 'Invalid phone number.' }];
    case 'invalid-deadline':
      return ['deadline', { pl: 'Termin odbioru musi przypadać w przyszłości.', en: 'The deadline must be in the future.' }];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

/** The error under a field, and the attributes that tie the field to it and to its hint. */
function errorOf(lang: Lang, errors: Errors, f: Field): Html {
  const e = errors[f];
  return e === undefined ? html`` : html`<p class="field-error" id="${f}-error">${say(lang, e)}</p>`;
}

function describe(errors: Errors, f: Field, hint = false): Html {
  const ids = [...(hint ? [`${f}-hint`] : []), ...(errors[f] !== undefined ? [`${f}-error`] : [])];
  return html`${errors[f] !== undefined ? html` aria-invalid="true"` : ''}${ids.length > 0 ? html` aria-describedby="${ids.join(' ')}"` : ''}`;
}

const on = (b: boolean, attr: string): Html => (b ? html` ${attr}` : html``);

/** The fields as hidden inputs: the preview's forms carry what was typed back to the server unchanged. */
function hiddenFields(v: FormValues, withNotice: boolean): Html {
  const pairs: Array<[string, string]> = [
    ['locker', v.locker], ['caseRef', v.caseRef], ['documentType', v.documentType], ['phone', v.phone], ['size', v.size],
    ['consentHow', v.consentHow], ['consentAt', v.consentAt], ['fee', v.fee], ['deadline', v.deadline], ['formId', v.formId],
  ];
  if (v.accessible) pairs.push(['accessible', 'on']);
  if (v.consent) pairs.push(['consent', 'on']);
  if (withNotice && v.notice) pairs.push(['notice', 'on']);
  return html`${pairs.map(([k, x]) => html`<input type="hidden" name="${k}" value="${x}">`)}`;
}

export function formPage(req: FastifyRequest, reply: FastifyReply, ctx: OfficeContext, choices: Choices, v: FormValues, errors: Errors = {}, status = 200): FastifyReply {
  const lang = req.lang;
  const today = warsawDay(ctx.now());
  const allowed = choices.types.filter((t) => t.refusal === undefined);
  const denied = choices.types.filter((t) => t.refusal !== undefined);
  const count = Object.keys(errors).length;
  const choose = say(lang, { pl: '— wybierz —', en: '— choose —' });
  const body = html`
<form method="post" action="/documents/preview" class="stack">
  ${csrfField(req)}
  <input type="hidden" name="formId" value="${v.formId}">
  <div><label for="locker">${say(lang, { pl: 'Urzędomat', en: 'Locker' })}</label>
  <select id="locker" name="locker" required${describe(errors, 'locker')}>
    <option value="">${choose}</option>
    ${choices.lockers.map((l) => html`<option value="${l.id}"${on(l.id === v.locker, 'selected')}>${l.name} (${l.id})</option>`)}
  </select>${errorOf(lang, errors, 'locker')}</div>

  <div><label for="caseRef">${say(lang, { pl: 'Znak sprawy', en: 'Case reference' })}</label>
  <input id="caseRef" name="caseRef" required maxlength="100" autocomplete="off" value="${v.caseRef}"${describe(errors, 'caseRef')}>${errorOf(lang, errors, 'caseRef')}</div>

  <div><label for="documentType">${say(lang, { pl: 'Rodzaj dokumentu', en: 'Document type' })}</label>
  <select id="documentType" name="documentType" required${describe(errors, 'documentType', true)}>
    <option value="">${choose}</option>
    ${allowed.map((t) => html`<option value="${t.code}"${on(t.code === v.documentType, 'selected')}>${typeName(lang, t)}</option>`)}
  </select>
  <p class="hint" id="documentType-hint">${say(lang, { pl: 'Dokumenty, których nie wolno wydać w urzędomacie, nie są tu wymienione: lista z powodami jest pod formularzem.', en: 'Documents that may not go in the locker are not offered here: they are listed with the reasons below the form.' })}</p>
  ${errorOf(lang, errors, 'documentType')}</div>

  <div><label for="phone">${say(lang, { pl: 'Telefon komórkowy wnioskodawcy', en: 'Resident’s mobile phone' })}</label>
  <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="off" required maxlength="20" value="${v.phone}"${describe(errors, 'phone', true)}>
  <p class="hint" id="phone-hint">${say(lang, { pl: '9 cyfr, np. 600 100 200; na ten numer przyjdzie SMS z kodem odbioru.', en: '9 digits, e.g. 600 100 200; the text message with the pickup code goes to this number.' })}</p>
  ${errorOf(lang, errors, 'phone')}</div>

  <div><label for="size">${say(lang, { pl: 'Rozmiar skrytki', en: 'Compartment size' })}</label>
  <select id="size" name="size" required${describe(errors, 'size')}>
    ${(['S', 'M', 'L'] as const).map((s) => html`<option value="${s}"${on(s === v.size, 'selected')}>${say(lang, sizeWords[s])}</option>`)}
  </select>${errorOf(lang, errors, 'size')}</div>

  <div class="check"><input type="checkbox" id="accessible" name="accessible" value="on"${on(v.accessible, 'checked')}>
  <label for="accessible">${say(lang, { pl: 'Potrzebna niska skrytka (dla osoby na wózku lub niskiej)', en: 'Needs a low compartment (for a wheelchair user or a short person)' })}</label></div>

  <fieldset>
    <legend>${say(lang, { pl: 'Zgoda na odbiór w urzędomacie', en: 'Consent to collection from the locker' })}</legend>
    <div class="check"><input type="checkbox" id="consent" name="consent" value="on" required${on(v.consent, 'checked')}${describe(errors, 'consent')}>
    <label for="consent">${say(lang, { pl: 'Wnioskodawca wyraził zgodę', en: 'The resident gave consent' })}</label></div>
    ${errorOf(lang, errors, 'consent')}
    <div><label for="consentHow">${say(lang, { pl: 'Jak', en: 'How' })}</label>
    <select id="consentHow" name="consentHow" required${describe(errors, 'consentHow')}>
      <option value="">${choose}</option>
      ${(Object.keys(consentHowWords) as ConsentHow[]).map((k) => html`<option value="${k}"${on(k === v.consentHow, 'selected')}>${say(lang, consentHowWords[k])}</option>`)}
    </select>${errorOf(lang, errors, 'consentHow')}</div>
    <div><label for="consentAt">${say(lang, { pl: 'Kiedy', en: 'When' })}</label>
    <input id="consentAt" name="consentAt" type="date" required max="${today}" value="${v.consentAt}"${describe(errors, 'consentAt')}>${errorOf(lang, errors, 'consentAt')}</div>
  </fieldset>

  <fieldset${errors.fee === undefined ? '' : html` aria-describedby="fee-error"`}>
    <legend>${say(lang, { pl: 'Opłata skarbowa', en: 'Fee' })}</legend>
    ${(Object.keys(feeWords) as FeeChoice[]).map(
      (k) => html`<div class="check"><input type="radio" id="fee-${k}" name="fee" value="${k}" required${on(k === v.fee, 'checked')}> <label for="fee-${k}">${say(lang, feeWords[k])}</label></div>`,
    )}
    ${errorOf(lang, errors, 'fee')}
  </fieldset>

  <div><label for="deadline">${say(lang, { pl: 'Termin odbioru (do końca dnia)', en: 'Collect by (until the end of the day)' })}</label>
  <input id="deadline" name="deadline" type="date" required min="${addDays(today, 1)}" max="${addDays(today, maxHoldDays)}" value="${v.deadline}"${describe(errors, 'deadline', true)}>
  <p class="hint" id="deadline-hint">${say(lang, { pl: `Domyślnie ${ctx.config.pickup.holdDays} dni od dziś.`, en: `By default ${ctx.config.pickup.holdDays} days from today.` })}</p>
  ${errorOf(lang, errors, 'deadline')}</div>

  <div class="check"><input type="checkbox" id="notice" name="notice" value="on"${on(v.notice, 'checked')}>
  <label for="notice">${say(lang, { pl: 'Wydrukuj zawiadomienie dla wnioskodawcy (PDF z kodem QR)', en: 'Print a notice for the resident (PDF with the QR code)' })}</label></div>

  <div><button type="submit">${say(lang, { pl: 'Pokaż, co otrzyma wnioskodawca', en: 'Show what the resident will receive' })}</button></div>
</form>

<h2 id="denied">${say(lang, { pl: 'Dokumenty, których nie wolno wydać w urzędomacie', en: 'Documents that may not go in the locker' })}</h2>
${denied.length === 0
  ? html`<p>${say(lang, { pl: 'Brak: każdy rodzaj z katalogu może trafić do urzędomatu.', en: 'None: every type in the catalogue may go in the locker.' })}</p>`
  : html`<table aria-labelledby="denied">
  <thead><tr><th scope="col">${say(lang, { pl: 'Rodzaj dokumentu', en: 'Document type' })}</th><th scope="col">${say(lang, { pl: 'Powód', en: 'Reason' })}</th><th scope="col">${say(lang, { pl: 'Podstawa prawna', en: 'Legal basis' })}</th></tr></thead>
  <tbody>${denied.map((t) => html`<tr><th scope="row">${typeName(lang, t)}</th><td>${say(lang, t.refusal!)}</td><td>${t.legalBasis === '' ? '—' : t.legalBasis}</td></tr>`)}</tbody>
</table>`}`;
  return sendPage(req, reply, {
    title: { pl: 'Nowy dokument do urzędomatu', en: 'New document for the locker' },
    body,
    status,
    notice:
      count === 0
        ? undefined
        : { error: true, text: say(lang, { pl: `Formularz zawiera błędy (${count}): popraw pola opisane niżej.`, en: `The form has ${count} error${count === 1 ? '' : 's'}: correct the fields described below.` }) },
  });
}

/** The code in the preview: the text is composed exactly as it will be, with this in place of the code. */
export const codePlaceholder = 'XXXXXXXX';

/** The resident's text message as it will be sent, but for the code (drawn only when the clerk sends). */
export function previewMessage(type: DocumentType, lockerName: string, expiresAt: Date): string {
  const stand = '00000000';
  return codeMessage({ code: stand, documentName: type.namePl, lockerName, expiresAt }).replace(stand, codePlaceholder);
}

const formatPhone = (p: string): string => `${p.slice(0, 3)} ${p.slice(3, 6)} ${p.slice(6)}`;

export function previewPage(req: FastifyRequest, reply: FastifyReply, v: FormValues, c: Checked): FastifyReply {
  const lang = req.lang;
  const reg = c.registration!;
  const type = c.type!;
  const expiresAt = reg.expiresAt!;
  const message = previewMessage(type, c.lockerName!, expiresAt);
  const yes = say(lang, { pl: 'tak', en: 'yes' });
  const no = say(lang, { pl: 'nie', en: 'no' });
  const fee = v.fee as FeeChoice;
  const rows: Array<[Words, string]> = [
    [{ pl: 'Urzędomat', en: 'Locker' }, `${c.lockerName!} (${reg.lockerId})`],
    [{ pl: 'Znak sprawy', en: 'Case reference' }, reg.caseRef],
    [{ pl: 'Rodzaj dokumentu', en: 'Document type' }, typeName(lang, type)],
    [{ pl: 'Telefon', en: 'Phone' }, formatPhone(c.phone!)],
    [{ pl: 'Rozmiar skrytki', en: 'Compartment size' }, say(lang, sizeWords[reg.size])],
    [{ pl: 'Niska skrytka', en: 'Low compartment' }, reg.accessible ? yes : no],
    [{ pl: 'Zgoda', en: 'Consent' }, `${say(lang, consentHowWords[reg.consentHow!])}, ${v.consentAt}`],
    [{ pl: 'Opłata', en: 'Fee' }, say(lang, feeWords[fee])],
    [{ pl: 'Termin odbioru', en: 'Collect by' }, warsawDeadline(expiresAt)],
  ];
  const body = html`
<h2 id="sms">${say(lang, { pl: 'SMS, który otrzyma wnioskodawca', en: 'The text message the resident will receive' })}</h2>
<p class="preview">${message}</p>
<p class="hint">${say(lang, {
    pl: `Kod odbioru zostanie wylosowany dopiero po wysłaniu; tu zastępuje go ${codePlaceholder}. Urząd nie przechowuje kodu.`,
    en: `The pickup code is drawn only when you send; here ${codePlaceholder} stands for it. The office does not keep the code.`,
  })}</p>
${fee === 'unpaid'
  ? html`<p class="notice error" role="alert">${say(lang, { pl: 'Opłata nie została wniesiona: urzędomat nie wyda dokumentu, dopóki nie będzie uregulowana.', en: 'The fee is not paid: the locker will not release the document until it is settled.' })}</p>`
  : ''}
<h2 id="summary">${say(lang, { pl: 'Dane dokumentu', en: 'The document' })}</h2>
<table aria-labelledby="summary"><tbody>
${rows.map(([k, x]) => html`<tr><th scope="row">${say(lang, k)}</th><td>${x}</td></tr>`)}
</tbody></table>
<form method="post" action="/documents" class="stack">
  ${csrfField(req)}
  ${hiddenFields(v, false)}
  <div class="check"><input type="checkbox" id="notice" name="notice" value="on"${on(v.notice, 'checked')}>
  <label for="notice">${say(lang, { pl: 'Wydrukuj zawiadomienie dla wnioskodawcy (PDF z kodem QR; tylko teraz, bo urząd nie przechowuje kodu)', en: 'Print a notice for the resident (PDF with the QR code; only now, since the office does not keep the code)' })}</label></div>
  <div><button type="submit">${say(lang, { pl: 'Wyślij', en: 'Send' })}</button></div>
</form>
<form method="post" action="/documents/new" class="inline">
  ${csrfField(req)}
  ${hiddenFields(v, true)}
  <button type="submit" class="secondary">${say(lang, { pl: 'Wróć do edycji', en: 'Back to edit' })}</button>
</form>`;
  return sendPage(req, reply, { title: { pl: 'Sprawdź przed wysłaniem', en: 'Check before sending' }, body });
}
