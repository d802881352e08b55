import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { hardDenyReason, typeMayUseLocker, type DocumentType, type HardDenyReason } from '../../../src/wire/policy.js';
import { openDatabase } from '../../../src/store/open.js';
import { migrate, readMigrations } from '../../../src/store/migrator.js';
import { migrationsDir } from '../../../src/paths.js';
import { tempDir } from '../../helpers/fixtures.js';

/**
 * Generated spellings of every word the hard deny list stands for: inflected, in any case, with diacritics
 * removed or added, with soft hyphens and zero-width characters anywhere, in full-width forms, with
 * Cyrillic look-alikes, joined by hyphens, spaces or nothing, amid random text. Every one must be refused in
 * the code, the Polish name and the English name. And the names the catalogue allows, given the same
 * disguises (but no look-alikes: a word mixing scripts is refused on purpose), must still pass.
 */

/** A denied word: its parts, each in the forms it takes, and the reason the list gives. */
const denied: readonly { readonly parts: readonly (readonly string[])[]; readonly reason: HardDenyReason }[] = [
  { reason: 'identity-document', parts: [['dowód', 'dowodu', 'dowodem', 'dowody', 'dowodów', 'dowodzie'], ['osobisty', 'osobistego', 'osobistym', 'osobiste', 'osobistych']] },
  { reason: 'identity-document', parts: [['e'], ['dowód', 'dowodu', 'dowodem', 'dowodzie', 'dowody']] },
  { reason: 'identity-document', parts: [['dokument', 'dokumentu', 'dokumentem', 'dokumenty', 'dokumentów'], ['tożsamości', 'tożsamość']] },
  { reason: 'identity-document', parts: [['dowód', 'dowodu'], ['tożsamości']] },
  { reason: 'identity-document', parts: [['identity', 'ID', 'identification', 'eID'], ['card', 'cards', 'document', 'documents']] },
  { reason: 'identity-document', parts: [['karta', 'karty', 'kartę', 'karcie', 'kartą'], ['pobytu']] },
  { reason: 'identity-document', parts: [['residence'], ['card', 'permit']] },
  { reason: 'travel-document', parts: [['paszport', 'paszportu', 'paszportem', 'paszporty', 'paszportów', 'paszportowy']] },
  { reason: 'travel-document', parts: [['e'], ['paszport', 'paszportu']] },
  { reason: 'travel-document', parts: [['passport', 'passports']] },
  { reason: 'travel-document', parts: [['dokument', 'dokumentu', 'dokumenty', 'dokumentów'], ['podróży']] },
  { reason: 'travel-document', parts: [['travel'], ['document', 'documents']] },
  { reason: 'decision-needs-signed-receipt', parts: [['decyzja', 'decyzji', 'decyzję', 'decyzją', 'decyzjach', 'decyzjami', 'decyzjom']] },
  { reason: 'decision-needs-signed-receipt', parts: [['postanowienie', 'postanowienia', 'postanowieniem', 'postanowieniu', 'postanowień']] },
  { reason: 'decision-needs-signed-receipt', parts: [['decision', 'decisions']] },
];

/** What may stand between the parts of a word: nothing, spaces, hyphens of several kinds, punctuation. */
const joiners = ['', ' ', '  ', '-', ' - ', '\u00A0', '\u2010', '\u2011', '\u2013', '_', '/', '.', '. '];

/** Format and other invisible characters a forger can slip into a word. */
const invisibles = ['\u00AD', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u200E', '\u200F', '\u202A', '\u202C', '\u202E', '\u2066', '\u2069', '\u034F', '\uFE0F', '\u180E', '\u{E0041}'];

/** Cyrillic letters drawn like Latin ones (a subset of what the policy folds). */
const lookAlikes: Readonly<Record<string, string>> = {
  a: '\u0430', e: '\u0435', o: '\u043E', p: '\u0440', c: '\u0441', x: '\u0445', y: '\u0443', i: '\u0456', s: '\u0455', d: '\u0501',
  A: '\u0410', E: '\u0415', O: '\u041E', P: '\u0420', C: '\u0421', T: '\u0422', K: '\u041A', M: '\u041C', H: '\u041D', I: '\u0406',
};

interface Disguise {
  readonly caseMode: 'keep' | 'lower' | 'upper' | 'random';
  readonly diacritics: 'keep' | 'strip' | 'add';
  readonly fullWidth: 'none' | 'all' | 'random';
  readonly lookAlikes: boolean;
  readonly invisibleCount: number;
  /** Random numbers the per-character choices are drawn from, cyclically. */
  readonly noise: readonly number[];
}

function disguise(s: string, d: Disguise, allowLookAlikes: boolean): string {
  let k = 0;
  const next = (): number => d.noise[k++ % d.noise.length]!;
  let r = s;
  if (d.diacritics === 'strip') r = r.normalize('NFD').replace(/\p{M}/gu, '').replace(/ł/g, 'l').replace(/Ł/g, 'L');
  if (d.caseMode === 'lower') r = r.toLowerCase();
  else if (d.caseMode === 'upper') r = r.toUpperCase();
  else if (d.caseMode === 'random') r = [...r].map((c) => (next() % 2 === 0 ? c.toUpperCase() : c.toLowerCase())).join('');
  if (allowLookAlikes && d.lookAlikes) r = [...r].map((c) => (lookAlikes[c] !== undefined && next() % 2 === 0 ? lookAlikes[c] : c)).join('');
  if (d.fullWidth !== 'none') {
    r = [...r].map((c) => {
      if (d.fullWidth === 'random' && next() % 2 === 0) return c;
      const cp = c.codePointAt(0)!;
      if (cp >= 0x21 && cp <= 0x7e) return String.fromCodePoint(cp + 0xfee0);
      return c === ' ' ? '\u3000' : c;
    }).join('');
  }
  if (d.diacritics === 'add') {
    // A combining mark (U+0300..U+036F) after some letters.
    r = [...r].map((c) => (/\p{L}/u.test(c) && next() % 3 === 0 ? c + String.fromCodePoint(0x300 + (next() % 0x70)) : c)).join('');
  }
  const chars = [...r];
  for (let i = 0; i < d.invisibleCount; i++) chars.splice(next() % (chars.length + 1), 0, invisibles[next() % invisibles.length]!);
  return chars.join('');
}

const disguiseArb: fc.Arbitrary<Disguise> = fc.record({
  caseMode: fc.constantFrom('keep', 'lower', 'upper', 'random'),
  diacritics: fc.constantFrom('keep', 'strip', 'add'),
  fullWidth: fc.constantFrom('none', 'all', 'random'),
  lookAlikes: fc.boolean(),
  invisibleCount: fc.nat({ max: 6 }),
  noise: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 64 }),
});

/** A denied word spelt one way: a form of each part, joined. */
const spellingArb = fc.constantFrom(...denied).chain((w) =>
  fc.tuple(fc.tuple(...w.parts.map((forms) => fc.constantFrom(...forms))), fc.constantFrom(...joiners)).map(([forms, joiner]) => ({ text: forms.join(joiner), reason: w.reason })));

/** Random text around the word, kept apart from it by a separator. */
const surroundingArb = fc.oneof(fc.constant(''), fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));
const separatorArb = fc.constantFrom(' ', ', ', ' - ', ' (', '; ', '\n');

const fields = ['code', 'namePl', 'nameEn'] as const;
const innocent: DocumentType = { code: 'nowy-typ', namePl: 'Nowy typ', nameEn: 'New type', lockerRelease: true, legalBasis: '' };

describe('the hard deny list against generated spellings (property)', () => {
  it('every disguised spelling of a denied word, amid any text, is refused in the code, the Polish and the English name', () => {
    fc.assert(fc.property(spellingArb, disguiseArb, surroundingArb, separatorArb, surroundingArb, separatorArb, (w, d, pre, sep1, post, sep2) => {
      const text = (pre === '' ? '' : pre + sep1) + disguise(w.text, d, true) + (post === '' ? '' : sep2 + post);
      for (const field of fields) {
        const t: DocumentType = { ...innocent, [field]: text };
        expect(typeMayUseLocker(t), `${field}: ${JSON.stringify(text)}`).toBe(false);
        expect(hardDenyReason(t)).toBeDefined();
      }
    }), { numRuns: 1_500 });
  });

  it('a disguised denied word alone is refused for its own reason', () => {
    fc.assert(fc.property(spellingArb, disguiseArb, (w, d) => {
      const text = disguise(w.text, d, true);
      for (const field of fields) expect(hardDenyReason({ ...innocent, [field]: text }), `${field}: ${JSON.stringify(text)}`).toBe(w.reason);
    }), { numRuns: 1_500 });
  });
});

describe('the names the catalogue allows, disguised the same way, still pass (property)', () => {
  let t: ReturnType<typeof tempDir>;
  let allowed: DocumentType[];
  beforeAll(() => {
    t = tempDir();
    const db = openDatabase(join(t.dir, 'c.db'));
    migrate(db, readMigrations(migrationsDir));
    allowed = (db.prepare('SELECT code, name_pl AS namePl, name_en AS nameEn, legal_basis AS legalBasis FROM document_type WHERE locker_release = 1').all() as Omit<DocumentType, 'lockerRelease'>[])
      .map((r) => ({ ...r, lockerRelease: true }));
    db.close();
  });
  afterAll(() => t.cleanup());

  it('the seeded catalogue allows the nine copies and the three certificates', () => {
    expect(allowed.map((a) => a.code).sort()).toEqual(expect.arrayContaining(['zaswiadczenie-o-stanie-cywilnym', 'odpis-wielojezyczny-aktu-zgonu']));
    expect(allowed).toHaveLength(12);
    for (const a of allowed) expect(hardDenyReason(a), a.code).toBeUndefined();
  });

  it('with format characters, full-width forms, any case and diacritics removed or added, none is refused', () => {
    fc.assert(fc.property(fc.nat(), fc.constantFrom(...fields), disguiseArb, (i, field, d) => {
      const a = allowed[i % allowed.length]!;
      const t: DocumentType = { ...a, [field]: disguise(a[field], d, false) };
      expect(typeMayUseLocker(t), `${field}: ${JSON.stringify(t[field])}`).toBe(true);
      expect(hardDenyReason(t)).toBeUndefined();
    }), { numRuns: 1_500 });
  });
});
