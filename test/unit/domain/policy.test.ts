import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { checkTerms, hardDenyReason, isHardDenied, normalizeForMatch, typeMayUseLocker, type AuthorizationTerms, type DocumentType } from '../../../src/wire/policy.js';
import { openStore } from '../../../src/store/store.js';
import { openDatabase, type Db } from '../../../src/store/open.js';
import { migrate, readMigrations } from '../../../src/store/migrator.js';
import { migrationsDir } from '../../../src/paths.js';
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

  it('the seeded catalogue allows the copies of birth, marriage and death records and the three certificates, and nothing hard-denied', () => {
    const t = tempDir();
    const store = openStore(t.dir, systemClock);
    try {
      const rows = catalogue(store.db);
      const allowed = rows.filter((r) => typeMayUseLocker({ ...r, lockerRelease: r.lr === 1 })).map((r) => r.code).sort();
      expect(allowed).toEqual([...copyCodes, ...certificateCodes].sort());
      for (const denied of ['dowod-osobisty', 'paszport', 'paszport-tymczasowy', 'decyzja-za-pokwitowaniem']) {
        const r = rows.find((x) => x.code === denied)!;
        expect(r.lr).toBe(0);
        expect(isHardDenied(r)).toBe(true);
      }
      expect(hardDenyReason(rows.find((x) => x.code === 'decyzja-za-pokwitowaniem')!)).toBe('decision-needs-signed-receipt');
    } finally {
      store.close();
      t.cleanup();
    }
  });
});

const copyCodes = ['urodzenia', 'malzenstwa', 'zgonu'].flatMap((a) => ['skrocony', 'zupelny', 'wielojezyczny'].map((k) => `odpis-${k}-aktu-${a}`));
const certificateCodes = ['zaswiadczenie-o-stanie-cywilnym', 'zaswiadczenie-o-danych-w-rejestrze', 'zaswiadczenie-do-slubu-konkordatowego'];
const multilingualCodes = copyCodes.filter((c) => c.includes('wielojezyczny'));

type Row = DocumentType & { lr: number; source: string };
function catalogue(db: Db): Row[] {
  return (db.prepare('SELECT code, name_pl AS namePl, name_en AS nameEn, locker_release AS lr, legal_basis AS legalBasis, source FROM document_type').all() as Row[])
    .map((r) => ({ ...r, lockerRelease: r.lr === 1 }));
}

const allowedType = (o: Partial<DocumentType>): DocumentType => ({ code: 'nowy-typ', namePl: 'Nowy typ', nameEn: 'New type', lockerRelease: true, legalBasis: '', ...o });

describe('the hard deny list is not passed by wording (review point 10)', () => {
  // Each of these passed the list before it normalised its input and widened its words.
  it.each([
    ['Odbiór dowodu osobistego', 'identity-document'],
    ['e-dowód', 'identity-document'],
    ['Dokument tożsamości', 'identity-document'],
    ['Dokument podróży', 'travel-document'],
    ['pasz\u00ADport', 'travel-document'],
    ['ｐａｓｚｐｏｒｔ', 'travel-document'],
  ] as const)('denies %j in the code, the Polish and the English name', (phrase, reason) => {
    for (const field of ['code', 'namePl', 'nameEn'] as const) {
      const t = allowedType({ [field]: phrase });
      expect(isHardDenied(t), field).toBe(true);
      expect(typeMayUseLocker(t), field).toBe(false);
      expect(checkTerms(terms({ documentType: t.code }), t, 'release', now), field).toEqual({ ok: false, reason: 'document-type-not-allowed' });
      expect(hardDenyReason(t), field).toBe(reason);
    }
  });

  it.each([
    ['e-dowodu', 'identity-document'], ['EDOWÓD', 'identity-document'], ['dowodem osobistym', 'identity-document'],
    ['Wtórnik dowodów osobistych', 'identity-document'], ['dow. os.', 'identity-document'], ['dowód tożsamości', 'identity-document'],
    ['dokument potwierdzający tożsamość', 'identity-document'], ['Polski dokument tożsamości cudzoziemca', 'identity-document'],
    ['Identity document', 'identity-document'], ['ID card', 'identity-document'], ['eID card', 'identity-document'],
    ['Karta pobytu', 'identity-document'], ['wydanie karty pobytu', 'identity-document'], ['Residence card', 'identity-document'],
    ['Paszport tymczasowy', 'travel-document'], ['e-paszport', 'travel-document'], ['Pasz-port', 'travel-document'], ['PASSPORTS', 'travel-document'],
    ['Tymczasowy polski dokument podróży dla cudzoziemca', 'travel-document'], ['Travel document', 'travel-document'],
    ['p\u200Ba\u200Csz\u2060port', 'travel-document'], ['\uFEFFpasz\u200Dport\u200E', 'travel-document'], ['ⓟⓐⓢⓩⓟⓞⓡⓣ', 'travel-document'],
  ] as const)('denies the wording %j', (phrase, reason) => {
    expect(hardDenyReason(allowedType({ namePl: phrase }))).toBe(reason);
  });

  it('folds the common Cyrillic and Greek look-alikes to Latin, and refuses a word mixing scripts otherwise', () => {
    // "pаszport" with a Cyrillic а (U+0430), "Раszport" with a Cyrillic Р, "dοwód οsobisty" with Greek omicrons.
    expect(hardDenyReason(allowedType({ namePl: 'p\u0430szport' }))).toBe('travel-document');
    expect(hardDenyReason(allowedType({ namePl: '\u0420aszport' }))).toBe('travel-document');
    expect(hardDenyReason(allowedType({ nameEn: 'd\u03BFw\u00F3d \u03BFsobisty' }))).toBe('identity-document');
    // "ԁоԝоԁ оѕоbіѕtу": every letter of the first word, and all but two of the second, Cyrillic.
    expect(hardDenyReason(allowedType({ namePl: '\u0501\u043E\u051D\u043E\u0501 \u043E\u0455\u043Eb\u0456\u0455t\u0443' }))).toBe('identity-document');
    // A look-alike that is not folded (Cyrillic п) inside a Latin word: refused as mixed script.
    expect(hardDenyReason(allowedType({ namePl: '\u043Faszport' }))).toBe('mixed-script');
    // So is an innocent name with one foreign letter in a word: no genuine name has one.
    expect(hardDenyReason(allowedType({ namePl: 'Odpis skr\u043Econy aktu urodzenia' }))).toBe('mixed-script');
    expect(hardDenyReason(allowedType({ namePl: 'Odpis skr\u00F3cony akt\u0446 urodzenia' }))).toBe('mixed-script');
    expect(hardDenyReason(allowedType({ nameEn: 'Stra\u00DFe' }))).toBe('mixed-script');
    // A word wholly in another script is no disguise.
    expect(hardDenyReason(allowedType({ nameEn: 'Odpis skrócony / Скорочений витяг' }))).toBeUndefined();
  });

  it('normalises once for every comparison: NFKC, no format characters, no diacritics, one space between words', () => {
    expect(normalizeForMatch('  E\u00AD-DOWÓD\u200B ')).toBe('e dowod');
    expect(normalizeForMatch('ｅ－ｄｏｗóｄ')).toBe('e dowod');
    expect(normalizeForMatch('Odpis zupełny aktu MAŁŻEŃSTWA')).toBe('odpis zupelny aktu malzenstwa');
    expect(normalizeForMatch('a\u202Eb\u2066c\u3164d')).toBe('abcd');
  });

  it.each([
    // KPA art. 46 § 1: a decision is delivered against a signed, dated confirmation of receipt.
    ['decyzja-o-zmianie-imienia', 'Decyzja o zmianie imienia', 'Decision on a change of first name'],
    ['nowy-typ', 'Odbiór decyzji', 'x'],
    ['nowy-typ', 'Doręczenie decyzję', 'x'],
    ['nowy-typ', 'Wydanie postanowienia o sprostowaniu', 'x'],
    ['nowy-typ', 'Odpis postanowień', 'x'],
    ['nowy-typ', 'x', 'Administrative decisions'],
    ['nowy-typ', 'Pismo doręczane za pokwitowaniem', 'x'],
    ['nowy-typ', 'Pismo za zwrotnym potwierdzeniem odbioru', 'x'],
  ])('refuses a decision whatever the catalogue says, by rule: %s / %s / %s', (code, namePl, nameEn) => {
    const t = allowedType({ code, namePl, nameEn });
    expect(hardDenyReason(t)).toBe('decision-needs-signed-receipt');
    expect(typeMayUseLocker(t)).toBe(false);
    expect(checkTerms(terms({ documentType: code }), t, 'arrival', now)).toEqual({ ok: false, reason: 'document-type-not-allowed' });
  });

  it.each([
    // The certificates of migration 007 and the copies of 002, and words near the denied ones that are not
    // identity documents: "dowód wpłaty" is a proof of payment, "dowód rejestracyjny" a vehicle's.
    ['zaswiadczenie-o-stanie-cywilnym', 'Zaświadczenie o stanie cywilnym', 'Certificate of civil status'],
    ['zaswiadczenie-do-slubu-konkordatowego', 'Zaświadczenie stwierdzające brak okoliczności wyłączających zawarcie małżeństwa (do ślubu wyznaniowego ze skutkami cywilnymi)', 'Certificate of no impediment to marriage, for a religious wedding with civil effect'],
    ['odpis-wielojezyczny-aktu-zgonu', 'Odpis wielojęzyczny aktu zgonu', 'Multilingual death certificate'],
    ['nowy-typ', 'Dowód wpłaty', 'Proof of payment'],
    ['nowy-typ', 'Dowód rejestracyjny', 'Vehicle registration certificate'],
    ['nowy-typ', 'Zaświadczenie o zameldowaniu', 'Certificate of registered residence'],
    ['nowy-typ', 'Odpis skrócony aktu urodzenia (kopia dla ucznia)', 'Paid card copy'],
  ])('lets through what is no identity document, travel document or decision: %s', (code, namePl, nameEn) => {
    const t = allowedType({ code, namePl, nameEn });
    expect(hardDenyReason(t)).toBeUndefined();
    expect(typeMayUseLocker(t)).toBe(true);
  });
});

describe('migration 007: certificates and the basis of the multilingual copies (review point 17)', () => {
  const all = readMigrations(migrationsDir);
  const m007 = all.findIndex((m) => m.name === 'civil_status_certificates');

  it('is a migration of its own after the seed', () => {
    expect(m007).toBeGreaterThan(all.findIndex((m) => m.name === 'document_types'));
  });

  it('the migrated catalogue has the three certificates, allowed and not hard-denied', () => {
    const t = tempDir();
    const db = openDatabase(join(t.dir, 'c.db'));
    try {
      migrate(db, all);
      const rows = catalogue(db);
      for (const code of certificateCodes) {
        const r = rows.find((x) => x.code === code);
        expect(r, code).toBeDefined();
        expect(r!.source).toBe('seed');
        expect(r!.lr).toBe(1);
        expect(hardDenyReason(r!), code).toBeUndefined();
        expect(typeMayUseLocker(r!)).toBe(true);
        expect(r!.legalBasis).toMatch(/art\. /);
        expect(r!.namePl.length * r!.nameEn.length).toBeGreaterThan(0);
      }
      expect(rows.find((x) => x.code === 'zaswiadczenie-o-stanie-cywilnym')!.legalBasis).toContain('art. 44 ust. 1 pkt 3');
      expect(rows.find((x) => x.code === 'zaswiadczenie-o-danych-w-rejestrze')!.legalBasis).toContain('art. 44 ust. 1 pkt 2');
      expect(rows.find((x) => x.code === 'zaswiadczenie-do-slubu-konkordatowego')!.legalBasis).toContain('Kodeks rodzinny i opiekuńczy, art. 4¹');
    } finally {
      db.close();
      t.cleanup();
    }
  });

  it("the multilingual copies' basis names the CIEC Convention No. 16 and no longer cites Regulation (EU) 2016/1191", () => {
    const t = tempDir();
    const db = openDatabase(join(t.dir, 'c.db'));
    try {
      migrate(db, all);
      const rows = catalogue(db).filter((r) => multilingualCodes.includes(r.code));
      expect(rows).toHaveLength(3);
      for (const r of rows) {
        expect(r.legalBasis).toContain('Konwencja nr 16 Międzynarodowej Komisji Stanu Cywilnego (CIEC)');
        expect(r.legalBasis).toContain('8 września 1976');
        expect(r.legalBasis).toContain('art. 1');
        expect(r.legalBasis).not.toContain('2016/1191');
      }
      // The other copies keep the basis 002 gave them.
      expect(catalogue(db).find((r) => r.code === 'odpis-zupelny-aktu-zgonu')!.legalBasis).toContain('art. 44-45');
    } finally {
      db.close();
      t.cleanup();
    }
  });

  it('a database at version 6 keeps the entries the office sent when it migrates', () => {
    const t = tempDir();
    const db = openDatabase(join(t.dir, 'c.db'));
    try {
      expect(migrate(db, all.slice(0, m007)).version).toBe(m007);
      // What feed-apply writes for a documentType.upsert: the office's own basis, source 'feed'.
      const upsert = db.prepare(`INSERT INTO document_type (code, name_pl, name_en, locker_release, legal_basis, source, updated_at) VALUES (?, ?, ?, ?, ?, 'feed', ?)
        ON CONFLICT (code) DO UPDATE SET name_pl = excluded.name_pl, name_en = excluded.name_en, locker_release = excluded.locker_release,
          legal_basis = excluded.legal_basis, source = 'feed', updated_at = excluded.updated_at`);
      upsert.run('odpis-wielojezyczny-aktu-urodzenia', 'Odpis wielojęzyczny aktu urodzenia', 'Multilingual birth certificate', 1, 'Podstawa według urzędu', '2026-11-20T00:00:00.000Z');
      upsert.run('zaswiadczenie-o-stanie-cywilnym', 'Zaświadczenie o stanie cywilnym (urząd)', 'Certificate of civil status (office)', 0, 'Wpis urzędu', '2026-11-20T00:00:00.000Z');

      expect(migrate(db, all).applied).toContain(m007 + 1);
      const rows = catalogue(db);
      const feedCopy = rows.find((r) => r.code === 'odpis-wielojezyczny-aktu-urodzenia')!;
      expect(feedCopy).toMatchObject({ source: 'feed', legalBasis: 'Podstawa według urzędu' });
      const feedCert = rows.find((r) => r.code === 'zaswiadczenie-o-stanie-cywilnym')!;
      expect(feedCert).toMatchObject({ source: 'feed', lr: 0, namePl: 'Zaświadczenie o stanie cywilnym (urząd)', legalBasis: 'Wpis urzędu' });
      // The seeded ones are corrected and added as usual.
      expect(rows.find((r) => r.code === 'odpis-wielojezyczny-aktu-zgonu')!.legalBasis).toContain('CIEC');
      expect(rows.find((r) => r.code === 'zaswiadczenie-o-danych-w-rejestrze')!.source).toBe('seed');
    } finally {
      db.close();
      t.cleanup();
    }
  });
});
