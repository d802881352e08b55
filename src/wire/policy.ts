/**
 * What the law lets the locker release. The office's catalogue says which document types may go in; this
 * module adds what no catalogue, feed or config can change: identity documents, travel documents and
 * decisions that must be delivered against a signed receipt are handed over at the counter only, and a
 * document is released only with the applicant's consent and a settled fee.
 */

export interface DocumentType {
  readonly code: string;
  readonly namePl: string;
  readonly nameEn: string;
  readonly lockerRelease: boolean;
  readonly legalBasis: string;
}

/** What the policy needs to know of an authorization. */
export interface AuthorizationTerms {
  readonly documentType: string;
  readonly consent: boolean;
  readonly feeSettled: boolean;
  readonly revoked: boolean;
  /** Wall-clock ms; judged by the caller's trusted-clock rule. */
  readonly expiresAtMs: number;
}

export type RefusalReason = 'document-type-not-allowed' | 'no-consent' | 'fee-not-settled' | 'revoked' | 'expired';

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: RefusalReason };

/**
 * Why the hard deny list refuses a document type, for logs and the office panel (the refusal the contract
 * knows stays `document-type-not-allowed`):
 * - `identity-document`: an identity card (dowód osobisty, e-dowód), any "dokument tożsamości", a residence
 *   card; collected in person at the counter.
 * - `travel-document`: a passport or any "dokument podróży"; collected in person at the counter.
 * - `decision-needs-signed-receipt`: an administrative decision or resolution (decyzja, postanowienie). Under
 *   the Kodeks postępowania administracyjnego, art. 46 § 1, whoever receives a letter confirms its delivery with
 *   their signature and the date; a locker takes no signature, so no such letter goes in, whatever the
 *   catalogue says.
 * - `mixed-script`: a word that mixes Latin letters with letters of another script or with unusual Latin
 *   letters (dotless ı, ß, ø...). No genuine Polish or English name does, and only a forger writes "pаszport"
 *   with a Cyrillic "а": so such a name is refused whatever it says. Common look-alikes are also folded to
 *   Latin before the words are matched, so a disguised denied word gets its own reason, and one written
 *   wholly in look-alikes (not a mixed word) is still recognised; a word wholly in another script is left alone.
 */
export type HardDenyReason = 'identity-document' | 'travel-document' | 'decision-needs-signed-receipt' | 'mixed-script';

/** Codes of documents that are never released by a locker, whatever the catalogue says (compared normalised). */
export const hardDeniedCodes: ReadonlySet<string> = new Set([
  'dowod-osobisty',
  'dowod-osobisty-tymczasowy',
  'paszport',
  'paszport-tymczasowy',
  'paszport-dyplomatyczny',
  'paszport-sluzbowy',
  'decyzja-za-pokwitowaniem',
]);

// ---------------------------------------------------------------------------------------------------------
// Normalisation: one function, used for every comparison below.

/**
 * Characters that render as nothing (or as a blank) and so can hide inside a word: every format character
 * (Unicode category Cf: soft hyphen U+00AD, zero-width space and joiners U+200B-U+200D, LRM/RLM and the other
 * bidi marks and isolates, word joiner U+2060 and the invisible operators, BOM U+FEFF, the Mongolian vowel
 * separator, tag characters...), line and paragraph separators, the Hangul fillers (letters that draw nothing)
 * and the blank Braille pattern. The invisible combining characters (combining grapheme joiner U+034F,
 * variation selectors) are combining marks: they go with the diacritics.
 */
const invisible = /[\p{Cf}\p{Zl}\p{Zp}\u115F\u1160\u2800\u3164\uFFA0]/gu;

/**
 * Letters of other scripts that look like Latin ones, folded to the Latin letter they imitate: the Cyrillic
 * and Greek capitals and small letters that are drawn the same in common fonts, and a few Latin
 * look-alikes that NFKC leaves alone (dotless i, script a and g). Looser resemblances (Cyrillic п, т, и) are
 * not folded: inside a Latin word they make it `mixed-script`, which is refused anyway.
 */
const confusables: Readonly<Record<string, string>> = Object.fromEntries([
  // Cyrillic small: а е о р с х у і ј ѕ ԁ ԛ ԝ һ ӏ к
  ...pairs('\u0430\u0435\u043E\u0440\u0441\u0445\u0443\u0456\u0458\u0455\u0501\u051B\u051D\u04BB\u04CF\u043A', 'aeopcxyijsdqwhlk'),
  // Cyrillic capital: А В Е К М Н О Р С Т Х У І Ј Ѕ Ԁ Ү Ԛ Ԝ Һ Ӏ
  ...pairs('\u0410\u0412\u0415\u041A\u041C\u041D\u041E\u0420\u0421\u0422\u0425\u0423\u0406\u0408\u0405\u0500\u04AE\u051A\u051C\u04BA\u04C0', 'ABEKMHOPCTXYIJSDYQWHI'),
  // Greek capital: Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ
  ...pairs('\u0391\u0392\u0395\u0396\u0397\u0399\u039A\u039C\u039D\u039F\u03A1\u03A4\u03A5\u03A7', 'ABEZHIKMNOPTYX'),
  // Greek small: α ο ρ ι κ ν υ χ ε
  ...pairs('\u03B1\u03BF\u03C1\u03B9\u03BA\u03BD\u03C5\u03C7\u03B5', 'aopikvuxe'),
  // Latin look-alikes: ı ɑ ɡ ɩ
  ...pairs('\u0131\u0251\u0261\u0269', 'iagi'),
]);
const confusable = new RegExp(`[${Object.keys(confusables).join('')}]`, 'gu');

function pairs(from: string, to: string): [string, string][] {
  const f = [...from];
  const t = [...to];
  if (f.length !== t.length) throw new Error('confusables table: lengths differ');
  return f.map((c, i) => [c, t[i]!]);
}

/**
 * NFKC, invisibles out, diacritics out, look-alikes folded (only when asked), lower case, ł to l. Marks go
 * before folding, so a Cyrillic letter that NFKC composed with a mark ("о" + U+0308 = "ӧ") is folded too,
 * and again after lower-casing, which can add one ("İ" lowers to "i" + U+0307).
 */
function canonical(s: string, foldConfusables: boolean): string {
  let r = s.replace(invisible, '').normalize('NFKC').replace(invisible, '').normalize('NFD').replace(/\p{M}/gu, '');
  if (foldConfusables) r = r.replace(confusable, (c) => confusables[c] ?? c);
  return r.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/ł/g, 'l');
}

/**
 * The form every name and code is compared in: NFKC (folds full-width letters, ligatures, mathematical and
 * circled letters), format and other invisible characters removed, common Cyrillic/Greek look-alikes folded to
 * Latin, lower case, diacritics removed (ł to l), and every run of characters that are not letters or digits
 * made one space. So "E‑DOWÓD", "e dowod" and "ｅ－ｄｏｗｏｄ" all read "e dowod".
 */
export function normalizeForMatch(s: string): string {
  return canonical(s, true).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** A word that has ASCII letters and any other letter, before the look-alikes are folded. */
function mixesScripts(s: string): boolean {
  return canonical(s, false).split(/[^\p{L}\p{N}]+/u).some((w) => /[a-z]/.test(w) && /[^\p{N}a-z]/u.test(w));
}

// ---------------------------------------------------------------------------------------------------------
// The rules. `spaced` patterns run on the normalised text with a space at each end (so `(?:^| )` or a leading
// space marks the start of a word); `squashed` patterns run on it with every space removed, and catch a word
// split by a hyphen or a space ("Pasz-port"); only long stems that cannot arise across two innocent words
// are matched squashed.

interface Rule {
  readonly reason: Exclude<HardDenyReason, 'mixed-script'>;
  readonly spaced: readonly RegExp[];
  readonly squashed: readonly RegExp[];
}

const rules: readonly Rule[] = [
  {
    reason: 'identity-document',
    spaced: [
      // dowód osobisty in every case and number (dowodu osobistego, dowodem osobistym, dowody osobiste,
      // dowodów osobistych, dowodzie osobistym), written together or apart, and in either order.
      / dowod[a-z]* ?osobist/, / osobist[a-z]* ?dowod/,
      // the abbreviation "dow. os." / "dow. osob.".
      / dow ?os(?:ob[a-z]*)? /,
      // e-dowód: the common name of the electronic identity card, alone ("e-dowód", "edowód", "e dowodu").
      // "dowód" alone is not refused: "dowód wpłaty" (proof of payment) is no identity document.
      / e ?dowod/,
      // dowód tożsamości / dokument tożsamości, any case, up to three words between ("dokument potwierdzający
      // tożsamość", "polski dokument tożsamości cudzoziemca"): the law's general name for identity documents.
      / dowod[a-z]* ?tozsamos/, / dokument[a-z]*(?: [^ ]+){0,3} ?tozsamos/,
      // English: identity card, identification card, ID card, eID card, identity document.
      / (?:identity|identification|id|e ?id) ?(?:card|document|doc)/,
      // karta pobytu (karty, kartę, karcie pobytu): the residence card, the identity document of a foreigner,
      // issued in person by the voivode; and its English names.
      / kar(?:t|c)[a-z]{0,3} ?pobyt/, / residence ?(?:permit|card)/,
    ],
    squashed: [/dowod[a-z]{0,4}osobist/, /dokument[a-z]{0,3}tozsamos/, /identitycard/, /identificationcard/, /identitydocument/, /kar(?:t|c)[a-z]{0,3}pobyt/],
  },
  {
    reason: 'travel-document',
    spaced: [
      // paszport, passport: any word containing them (paszportu, e-paszport, paszport tymczasowy, passports).
      /paszport/, /passport/,
      // dokument podróży in any case, up to three words between ("polski dokument podróży dla cudzoziemca").
      / dokument[a-z]*(?: [^ ]+){0,3} ?podroz/,
      // travel document; laissez-passer (the EU's travel document).
      / travel ?doc/, / laissez ?passer/,
    ],
    squashed: [/paszport/, /passport/, /dokument[a-z]{0,3}podroz/, /traveldoc/, /laissezpasser/],
  },
  {
    reason: 'decision-needs-signed-receipt',
    spaced: [
      // decyzja in every case and number (decyzji, decyzję, decyzją, decyzjach, decyzjami); postanowienie
      // (postanowienia, postanowieniem, postanowień); decision(s): KPA art. 46 § 1, see HardDenyReason.
      /decyzj/, /postanowien/, /decision/,
      // any letter the name itself says is delivered against a receipt (KPA art. 39 and 46).
      / za (?:zwrotnym )?(?:pokwitowani|potwierdzeni[a-z]* odbioru)/, / (?:signed|against a) receipt/,
    ],
    squashed: [/decyzj/, /postanowien/, /decision/, /zapokwitowani/],
  },
];

/** Which rule refuses a text, if any. */
function textReason(s: string): HardDenyReason | undefined {
  const n = normalizeForMatch(s);
  const spaced = ` ${n} `;
  const squashed = n.replace(/ /g, '');
  for (const r of rules) {
    if (r.spaced.some((p) => p.test(spaced)) || r.squashed.some((p) => p.test(squashed))) return r.reason;
  }
  return mixesScripts(s) ? 'mixed-script' : undefined;
}

const deniedCodeReasons: ReadonlyMap<string, HardDenyReason> = new Map(
  [...hardDeniedCodes].map((c) => [normalizeForMatch(c), textReason(c) ?? 'identity-document'] as const),
);

type Named = Pick<DocumentType, 'code'> & Partial<Pick<DocumentType, 'namePl' | 'nameEn'>>;

/**
 * Why a document type may never go through the locker, or undefined when the hard deny list has nothing
 * against it (the catalogue still decides). Code, Polish and English names are each judged on their own.
 */
export function hardDenyReason(t: Named): HardDenyReason | undefined {
  // The same few types are judged for every authorization of a feed batch (10,000 at a time): remember the
  // verdicts. A pure function of the three strings, so a cache cannot be wrong; bounded, so it cannot grow.
  const key = `${t.code}\u0000${t.namePl ?? ''}\u0000${t.nameEn ?? ''}`;
  const known = verdicts.get(key);
  if (known !== undefined) return known === 'allowed' ? undefined : known;
  const verdict = judge(t);
  if (verdicts.size >= 512) verdicts.clear();
  verdicts.set(key, verdict ?? 'allowed');
  return verdict;
}

const verdicts = new Map<string, HardDenyReason | 'allowed'>();

function judge(t: Named): HardDenyReason | undefined {
  const byCode = deniedCodeReasons.get(normalizeForMatch(t.code));
  if (byCode !== undefined) return byCode;
  for (const text of [t.code, t.namePl ?? '', t.nameEn ?? '']) {
    const r = textReason(text);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** True for identity and travel documents and decisions that need a signed receipt: never through the locker. */
export function isHardDenied(t: Named): boolean {
  return hardDenyReason(t) !== undefined;
}

/** Whether a document type may be released by a locker: in the catalogue, allowed there, and not hard-denied. */
export function typeMayUseLocker(t: DocumentType | undefined): boolean {
  return t !== undefined && t.lockerRelease && !isHardDenied(t);
}

/**
 * The three checks of an authorization: on `arrival` from the feed (type and consent: otherwise it is stored
 * as rejected), when staff `load` it and when a resident collects it (`release`): type, consent, revocation,
 * expiry and a settled fee. Staff may still retrieve a revoked or expired document; that is not a release.
 */
export function checkTerms(t: AuthorizationTerms, type: DocumentType | undefined, stage: 'arrival' | 'load' | 'release', nowMs: number): Verdict {
  if (!typeMayUseLocker(type) || (type !== undefined && type.code !== t.documentType)) return { ok: false, reason: 'document-type-not-allowed' };
  if (!t.consent) return { ok: false, reason: 'no-consent' };
  if (stage === 'arrival') return { ok: true };
  if (t.revoked) return { ok: false, reason: 'revoked' };
  if (!(nowMs < t.expiresAtMs)) return { ok: false, reason: 'expired' };
  if (!t.feeSettled) return { ok: false, reason: 'fee-not-settled' };
  return { ok: true };
}
