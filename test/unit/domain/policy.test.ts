import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkTerms, isHardDenied, typeMayUseLocker, type AuthorizationTerms, type DocumentType } from '../../../src/domain/policy.js';
import { openStore } from '../../../src/store/store.js';
import { systemClock } from '../../../src/clock.js';
import { tempDir } from '../../helpers/fixtures.js';

const birth: DocumentType = { code: 'odpis-skrocony-aktu-urodzenia', namePl: 'Odpis skrócony aktu urodzenia', nameEn: 'Short birth certificate', lockerRelease: true, legalBasis: 'x' };
const now = Date.parse('2026-11-25T10:00:00Z');
const terms = (o: Partial<AuthorizationTerms> = {}): AuthorizationTerms => ({
  documentType: birth.code, consent: true, feeSettled: true, revoked: false, expiresAtMs: now + 3_600_000, ...o,
});

describe('document policy', () => {
  it('allows a copy of a civil status record with consent, a settled fee, not revoked, not expired', () => {
    for (const stage of ['arrival', 'load', 'release'] as const) expect(checkTerms(terms(), birth, stage, now)).toEqual({ ok: true });
  });

  it.each([
    ['a type missing from the catalogue', terms(), undefined, 'arrival', 'document-type-not-allowed'],
    ['a type the catalogue does not allow', terms(), { ...birth, lockerRelease: false }, 'load', 'document-type-not-allowed'],
    ['no consent', terms({ consent: false }), birth, 'arrival', 'no-consent'],
    ['a fee not settled, at load', terms({ feeSettled: false }), birth, 'load', 'fee-not-settled'],
    ['a fee not settled, at release', terms({ feeSettled: false }), birth, 'release', 'fee-not-settled'],
    ['revoked', terms({ revoked: true }), birth, 'release', 'revoked'],
    ['expired', terms({ expiresAtMs: now }), birth, 'release', 'expired'],
  ] as const)('refuses %s', (_what, t, type, stage, reason) => {
    expect(checkTerms(t, type, stage, now)).toEqual({ ok: false, reason });
  });

  it('lets a fee be settled after arrival', () => {
    expect(checkTerms(terms({ feeSettled: false }), birth, 'arrival', now)).toEqual({ ok: true });
  });

  it.each([
    ['dowod-osobisty', 'Dowód osobisty', 'Identity card'],
    ['paszport-tymczasowy', 'Paszport tymczasowy', 'Temporary passport'],
    ['dowod-osobisty-wtorny', 'Wtórnik', 'Duplicate'],
    ['nowy-typ-1', 'Dowód  osobisty dla dziecka', 'x'],
    ['nowy-typ-2', 'x', 'Passport of a minor'],
    ['DOWOD-OSOBISTY', 'x', 'x'],
  ])('never lets an identity document or passport through, even marked allowed: %s', (code, namePl, nameEn) => {
    const t: DocumentType = { code, namePl, nameEn, lockerRelease: true, legalBasis: '' };
    expect(isHardDenied(t)).toBe(true);
    expect(typeMayUseLocker(t)).toBe(false);
    expect(checkTerms(terms({ documentType: code }), t, 'release', now)).toEqual({ ok: false, reason: 'document-type-not-allowed' });
  });

  it('no generated document type named as an identity document or passport is ever allowed (property)', () => {
    const word = fc.constantFrom('dowód osobisty', 'DOWOD-OSOBISTY', 'paszport', 'Passport', 'identity card');
    fc.assert(fc.property(fc.string(), word, fc.string(), fc.constantFrom('code', 'namePl', 'nameEn'), (pre, w, post, field) => {
      const t: DocumentType = { code: 'x', namePl: 'x', nameEn: 'x', lockerRelease: true, legalBasis: '', [field]: pre + w + post };
      expect(typeMayUseLocker(t)).toBe(false);
    }), { numRuns: 2_000 });
  });

  it('the seeded catalogue allows the copies of birth, marriage and death records and nothing hard-denied', () => {
    const t = tempDir();
    const store = openStore(t.dir, systemClock);
    try {
      const rows = store.db.prepare('SELECT code, name_pl AS namePl, name_en AS nameEn, locker_release AS lr, legal_basis AS legalBasis FROM document_type').all() as (DocumentType & { lr: number })[];
      const allowed = rows.filter((r) => typeMayUseLocker({ ...r, lockerRelease: r.lr === 1 })).map((r) => r.code).sort();
      expect(allowed).toEqual(['urodzenia', 'malzenstwa', 'zgonu'].flatMap((a) => ['skrocony', 'zupelny', 'wielojezyczny'].map((k) => `odpis-${k}-aktu-${a}`)).sort());
      for (const denied of ['dowod-osobisty', 'paszport', 'paszport-tymczasowy', 'decyzja-za-pokwitowaniem']) {
        expect(rows.find((r) => r.code === denied)?.lr).toBe(0);
      }
    } finally {
      store.close();
      t.cleanup();
    }
  });
});
