/**
 * What the law lets the locker release. The office's catalogue says which document types may go in; this
 * module adds what no catalogue, feed or config can change: identity documents and passports are collected at
 * the counter only, and a document is released only with the applicant's consent and a settled fee.
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

/** Codes of documents that are never released by a locker, whatever the catalogue says. */
export const hardDeniedCodes: ReadonlySet<string> = new Set([
  'dowod-osobisty',
  'dowod-osobisty-tymczasowy',
  'paszport',
  'paszport-tymczasowy',
  'paszport-dyplomatyczny',
  'paszport-sluzbowy',
]);

/**
 * Words that mark an identity document or a passport in any code or name, so a new code from the feed
 * (say `dowod-osobisty-wtorny`) cannot slip past the list above. Compared without diacritics and case.
 */
const deniedWords = [/dowod\W*osobist/, /paszport/, /passport/, /identity\W*card/, /id\W*card/];

function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l').replace(/Ł/g, 'L').toLowerCase();
}

/** True for identity documents and passports: never through the locker. */
export function isHardDenied(t: Pick<DocumentType, 'code'> & Partial<Pick<DocumentType, 'namePl' | 'nameEn'>>): boolean {
  if (hardDeniedCodes.has(fold(t.code))) return true;
  const text = [t.code, t.namePl ?? '', t.nameEn ?? ''].map(fold).join(' ');
  return deniedWords.some((w) => w.test(text));
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
