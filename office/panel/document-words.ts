import type { HardDenyReason } from '../../src/wire/policy.js';
import type { HistoryEntry } from '../document-history.js';
import type { ConsentHow, DocumentStatus } from '../documents.js';
import type { SmsKind } from '../sms/jobs.js';
import { say, when, type Lang, type Words } from './i18n.js';

/** The words of the documents' pages (issue 16): statuses, reasons, history, in Polish and English. */

export const statusWords: Readonly<Record<DocumentStatus, Words>> = {
  pending: { pl: 'czeka na włożenie', en: 'waiting to be loaded' },
  loaded: { pl: 'w urzędomacie', en: 'in the locker' },
  collected: { pl: 'odebrany', en: 'collected' },
  expired: { pl: 'termin minął', en: 'expired' },
  retrieved: { pl: 'zabrany z urzędomatu', en: 'taken back' },
  revoked: { pl: 'wycofany', en: 'revoked' },
  rejected: { pl: 'odrzucony przez urzędomat', en: 'rejected by the locker' },
};

export const statuses = Object.keys(statusWords) as DocumentStatus[];

export const consentHowWords: Readonly<Record<ConsentHow, Words>> = {
  counter: { pl: 'na piśmie, przy okienku', en: 'in writing, at the counter' },
  epuap: { pl: 'elektronicznie (ePUAP)', en: 'electronically (ePUAP)' },
  phone: { pl: 'telefonicznie', en: 'by phone' },
};

export type FeeChoice = 'paid' | 'exempt' | 'unpaid';

export const feeWords: Readonly<Record<FeeChoice, Words>> = {
  paid: { pl: 'opłata wniesiona', en: 'fee paid' },
  exempt: { pl: 'zwolniony z opłaty', en: 'exempt from the fee' },
  unpaid: { pl: 'jeszcze nie wniesiona', en: 'not paid yet' },
};

export const sizeWords: Readonly<Record<'S' | 'M' | 'L', Words>> = {
  S: { pl: 'S (mała)', en: 'S (small)' },
  M: { pl: 'M (średnia)', en: 'M (medium)' },
  L: { pl: 'L (duża)', en: 'L (large)' },
};

/** Why a type never goes in the locker (src/wire/policy.ts), with the rule's own basis where the law names one. */
export const hardDenyWords: Readonly<Record<HardDenyReason, Words>> = {
  'identity-document': {
    pl: 'dokument tożsamości: wydawany tylko osobiście, przy okienku',
    en: 'an identity document: handed over in person only, at the counter',
  },
  'travel-document': {
    pl: 'paszport lub dokument podróży: wydawany tylko osobiście, przy okienku',
    en: 'a passport or travel document: handed over in person only, at the counter',
  },
  'decision-needs-signed-receipt': {
    pl: 'decyzja lub postanowienie: doręczenie wymaga podpisu odbiorcy (Kodeks postępowania administracyjnego, art. 46 § 1)',
    en: 'a decision or resolution: its delivery needs the recipient’s signature (Code of Administrative Procedure, art. 46 § 1)',
  },
  'mixed-script': {
    pl: 'nazwa miesza alfabety (możliwe podszycie się pod dokument wykluczony)',
    en: 'the name mixes alphabets (it may disguise an excluded document)',
  },
};

export const catalogueSaysNo: Words = { pl: 'katalog dokumentów: wydawany tylko przy okienku', en: 'the document catalogue: handed over at the counter only' };

const smsKindWords: Readonly<Record<SmsKind, Words>> = {
  code: { pl: 'z kodem odbioru', en: 'with the pickup code' },
  'new-code': { pl: 'z nowym kodem odbioru', en: 'with a new pickup code' },
  reminder: { pl: 'przypomnienie o terminie', en: 'deadline reminder' },
};

/** Who did it, as a clerk reads it. `names`: clerks' and staff's names by `clerk:<login>` / `staff:<id>`. */
export function actorText(lang: Lang, actor: string | null, names: ReadonlyMap<string, string>): string {
  if (actor === null) return say(lang, { pl: 'system urzędu', en: 'the office system' });
  if (actor === 'api') return say(lang, { pl: 'system dziedzinowy (API)', en: 'the document system (API)' });
  const [kind, ...rest] = actor.split(':');
  const id = rest.join(':');
  const name = names.get(actor);
  switch (kind) {
    case 'clerk':
      return name === undefined ? id : `${name} (${id})`;
    case 'staff':
      return say(lang, { pl: 'pracownik', en: 'staff' }) + ` ${id}${name === undefined ? '' : ` (${name})`}`;
    case 'api':
      return say(lang, { pl: 'system dziedzinowy (API)', en: 'the document system (API)' }) + `: ${id}`;
    case 'locker':
      return say(lang, { pl: 'urzędomat', en: 'locker' }) + ` ${id}`;
    default:
      return actor;
  }
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** One history row as a sentence. */
export function historyText(lang: Lang, h: HistoryEntry): string {
  const d = h.detail;
  const kind = smsKindWords[d['kind'] as SmsKind] ?? { pl: text(d['kind']), en: text(d['kind']) };
  switch (h.what) {
    case 'registered':
      return say(lang, { pl: 'Zarejestrowany', en: 'Registered' });
    case 'sms-queued':
      return say(lang, { pl: `SMS w kolejce do wysłania: ${kind.pl}`, en: `Text message queued: ${kind.en}` });
    case 'sms-sent':
      return say(lang, { pl: `SMS wysłany: ${kind.pl}`, en: `Text message sent: ${kind.en}` });
    case 'sms-refused':
      return say(lang, { pl: `SMS odrzucony przez bramkę: ${kind.pl} (${text(d['error'])}); skontaktuj się z wnioskodawcą inaczej`, en: `Text message refused by the gateway: ${kind.en} (${text(d['error'])}); reach the resident another way` });
    case 'sms-given-up':
      return say(lang, { pl: `SMS nie wysłany mimo ponawiania: ${kind.pl}`, en: `Text message given up after retries: ${kind.en}` });
    case 'loaded':
      return say(lang, { pl: `Włożony do skrytki nr ${text(d['compartment'])}`, en: `Loaded into compartment ${text(d['compartment'])}` });
    case 'collected':
      return say(lang, { pl: `Odebrany ze skrytki nr ${text(d['compartment'])}, potwierdzenie ${text(d['receiptId'])}`, en: `Collected from compartment ${text(d['compartment'])}, receipt ${text(d['receiptId'])}` });
    case 'retrieved':
      return say(lang, { pl: `Zabrany ze skrytki nr ${text(d['compartment'])}, powód: ${text(d['reason'])}`, en: `Taken back from compartment ${text(d['compartment'])}, reason: ${text(d['reason'])}` });
    case 'rejected':
      return say(lang, { pl: `Odrzucony przez urzędomat: ${text(d['reason'])}`, en: `Rejected by the locker: ${text(d['reason'])}` });
    case 'revoked':
      return say(lang, { pl: `Wycofany, powód: ${text(d['reason'])}`, en: `Revoked, reason: ${text(d['reason'])}` });
    case 'new-code':
      return say(lang, { pl: 'Wydany nowy kod odbioru (poprzedni przestaje działać)', en: 'New pickup code issued (the previous one stops working)' });
    case 'deadline-changed': {
      const from = when(lang, d['from'] === undefined ? undefined : new Date(text(d['from'])));
      const to = when(lang, d['to'] === undefined ? undefined : new Date(text(d['to'])));
      return say(lang, { pl: `Termin odbioru zmieniony z ${from} na ${to}`, en: `Deadline changed from ${from} to ${to}` });
    }
    case 'expired':
      return say(lang, { pl: 'Termin odbioru minął', en: 'The deadline passed' });
    default:
      return h.what;
  }
}
