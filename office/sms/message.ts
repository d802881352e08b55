/**
 * The texts residents receive (DESIGN.md §6, "Text messages cost by the segment"). One Polish letter
 * would switch a message to UCS-2 (70 characters a segment instead of 160) and the city pays per
 * segment, so every text is plain ASCII drawn from the GSM 03.38 basic set and at most 160 characters.
 * The pickup code is the only run of 8+ digits in a code message, so a resident (or a phone's
 * "copy code" feature) cannot mistake a case number for it; a reminder carries no code at all.
 */
import { warsawParts } from '../warsaw-dates.js';

const MAX_SEPTETS = 160;

/** GSM 03.38 basic character set, one septet each (ESC left out: it only prefixes the extension). */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** Extension table: ESC + char, two septets each. */
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

/**
 * What toGsm7 may emit: ASCII that is also GSM basic. Left out on purpose: the extension characters
 * (double cost), '@' (septet 0x00, which some SMSC chains take for a string end) and control characters
 * (a line break costs 2 at SMSAPI, so whitespace becomes a space).
 */
const EMITTABLE = /[^A-Za-z0-9 !"#$%&'()*+,\-./:;<=>?_]/g;

const TRANSLITERATION: Record<string, string> = {
  ą: 'a', ć: 'c', ę: 'e', ł: 'l', ń: 'n', ó: 'o', ś: 's', ź: 'z', ż: 'z',
  Ą: 'A', Ć: 'C', Ę: 'E', Ł: 'L', Ń: 'N', Ó: 'O', Ś: 'S', Ź: 'Z', Ż: 'Z',
  // Letters NFKD does not take apart, and punctuation people paste from word processors.
  ß: 'ss', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ø: 'o', Ø: 'O', đ: 'd', Đ: 'D',
  '„': '"', '“': '"', '”': '"', '«': '"', '»': '"', '‘': "'", '’': "'", '‚': "'",
  '–': '-', '—': '-', '‒': '-', '−': '-', '‐': '-', '‑': '-',
};

/** Transliterates to the emittable ASCII subset of GSM-7; anything without a near equivalent is dropped. */
export function toGsm7(s: string): string {
  return Array.from(s, (ch) => TRANSLITERATION[ch] ?? ch)
    .join('')
    .normalize('NFKD') // é -> e + accent, fullwidth -> ASCII, "…" -> "...", no-break space -> space
    .replace(/\p{M}/gu, '')
    .replace(/\s+/gu, ' ')
    .replace(EMITTABLE, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** True when `s` is sent as exactly one GSM-7 segment (extension characters count two). */
export function isSingleGsm7Segment(s: string): boolean {
  let septets = 0;
  for (const ch of s) {
    if (GSM_BASIC.has(ch)) septets += 1;
    else if (GSM_EXTENSION.has(ch)) septets += 2;
    else return false;
  }
  return septets <= MAX_SEPTETS;
}

/** "DD.MM.YYYY HH:MM" in Warsaw time: a resident reads a date and an hour, not an ISO instant in UTC. */
export function warsawDeadline(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new RangeError('expiresAt is not a valid date');
  const p = warsawParts(d);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(p.d)}.${two(p.m)}.${p.y} ${two(p.h)}:${two(p.mi)}`;
}

const CODE = /^\d{8}$/;
const LONG_DIGIT_RUN = /\d{8,}/g;

/**
 * A clerk's or catalogue's name made safe to embed: GSM-7 ASCII, and no digit run longer than 4
 * (a run of 5+ keeps its last four, "...3456", as masked numbers usually are), so that no name can
 * form or touch an 8-digit run. Every template puts a non-digit on both sides of a name.
 */
function cleanName(s: string): string {
  const clean = toGsm7(s).replace(/\d{5,}/g, (run) => `...${run.slice(-4)}`);
  return clean === '' ? '(brak nazwy)' : clean;
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 3)).trimEnd()}...`;
}

/** Fits two names into `budget` characters, shortening the longer one first. */
function fitNames(doc: string, locker: string, budget: number): [string, string] {
  if (doc.length + locker.length <= budget) return [doc, locker];
  const half = Math.floor(budget / 2);
  if (doc.length <= half) return [doc, shorten(locker, budget - doc.length)];
  if (locker.length <= half) return [shorten(doc, budget - locker.length), locker];
  return [shorten(doc, budget - half), shorten(locker, half)];
}

/** Fills a template, the names shortened to what is left of 160 once the fixed text is counted. */
function render(documentName: string, lockerName: string, template: (doc: string, locker: string) => string): string {
  const budget = MAX_SEPTETS - template('', '').length;
  const [doc, locker] = fitNames(cleanName(documentName), cleanName(lockerName), budget);
  return template(doc, locker);
}

/** A full stop after a name, unless the name already ends in one (as a shortened "..." does). */
const stop = (name: string): string => (name.endsWith('.') ? name : `${name}.`);

/** The invariants every text must keep; a breach is a bug here, never something to send. */
function checked(text: string, code: string | undefined): string {
  const runs = text.match(LONG_DIGIT_RUN) ?? [];
  const runsOk = code === undefined ? runs.length === 0 : runs.length === 1 && runs[0] === code;
  if (!isSingleGsm7Segment(text) || !runsOk) throw new Error('internal: a resident text broke its length or digit rules');
  return text;
}

function requireCode(code: string): void {
  // The code itself stays out of the message: errors end up in logs.
  if (!CODE.test(code)) throw new RangeError('the pickup code must be exactly 8 digits');
}

export interface CodeMessageInput {
  readonly code: string;
  readonly documentName: string;
  readonly lockerName: string;
  readonly expiresAt: Date;
}

export function codeMessage({ code, documentName, lockerName, expiresAt }: CodeMessageInput): string {
  requireCode(code);
  const when = warsawDeadline(expiresAt);
  const text = render(documentName, lockerName, (doc, locker) =>
    `Dokument ${doc} czeka w urzedomacie ${stop(locker)} Kod odbioru: ${code}. Odbior do ${when}.`,
  );
  return checked(text, code);
}

/** After a clerk issued a new code: the resident must know the one received earlier is dead. */
export function newCodeMessage({ code, documentName, lockerName, expiresAt }: CodeMessageInput): string {
  requireCode(code);
  const when = warsawDeadline(expiresAt);
  const text = render(documentName, lockerName, (doc, locker) =>
    `Nowy kod odbioru: ${code}, poprzedni nie dziala. Dokument ${doc}, urzedomat ${locker}, odbior do ${when}.`,
  );
  return checked(text, code);
}

export interface ReminderMessageInput {
  readonly documentName: string;
  readonly lockerName: string;
  readonly expiresAt: Date;
}

/** No code: the office keeps none (DESIGN.md §6, codes never stored), so it points to the first text. */
export function reminderMessage({ documentName, lockerName, expiresAt }: ReminderMessageInput): string {
  const when = warsawDeadline(expiresAt);
  const text = render(documentName, lockerName, (doc, locker) =>
    `Przypominamy: dokument ${doc} czeka w urzedomacie ${locker} do ${when}. Kod odbioru jest w poprzednim SMS.`,
  );
  return checked(text, undefined);
}
