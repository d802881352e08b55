import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { codeMessage, isSingleGsm7Segment, newCodeMessage, reminderMessage, toGsm7, warsawDeadline } from '../../../../office/sms/message.js';

/** Checked independently of isSingleGsm7Segment: printable ASCII without GSM-7 extension chars nor '@'. */
const PLAIN = /^[A-Za-z0-9 !"#$%&'()*+,\-./:;<=>?_]*$/;
const longDigitRuns = (s: string): string[] => s.match(/\d{8,}/g) ?? [];

const polish = 'ąćęłńóśźżĄĆĘŁŃÓŚŹŻ';
/** Names as clerks and catalogues write them: Polish letters, digits, punctuation, the odd emoji, any length. */
const nameChar = fc.oneof(
  fc.constantFrom(...polish, ...'0123456789', ' ', '.', '/', '-', '{', '}', '[', ']', '~', '\\', '|', '^', '€', '@', '\n', '\t', '😀', '„', '”', '…', 'é', '１'),
  fc.string({ minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
// fast-check keeps strings short unless told otherwise ('small' size): the long ones are asked for explicitly.
const name = fc.oneof(
  fc.string({ unit: nameChar, maxLength: 40, size: 'medium' }),
  fc.string({ unit: nameChar, minLength: 41, maxLength: 400, size: 'max' }),
  fc.stringMatching(/^[0-9]{1,30}$/),
);
const code = fc.integer({ min: 0, max: 99_999_999 }).map((n) => String(n).padStart(8, '0'));
const date = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true });

describe('toGsm7', () => {
  it('transliterates Polish letters, both cases', () => {
    expect(toGsm7('Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ')).toBe('Zazolc gesla jazn ACELNOSZZ');
  });

  it('replaces typographic marks and drops what has no GSM-7 basic equivalent', () => {
    expect(toGsm7('„Akt” – odpis…')).toBe('"Akt" - odpis...');
    expect(toGsm7('a{b}[c]~d\\e|f^g€h@i`j😀k')).toBe('abcdefghijk');
    expect(toGsm7('  wiele\n\tlinii  ')).toBe('wiele linii');
  });
});

describe('isSingleGsm7Segment', () => {
  it('counts 160 septets, extension characters double, and refuses anything outside GSM-7', () => {
    expect(isSingleGsm7Segment('a'.repeat(160))).toBe(true);
    expect(isSingleGsm7Segment('a'.repeat(161))).toBe(false);
    expect(isSingleGsm7Segment('a'.repeat(158) + '{')).toBe(true);
    expect(isSingleGsm7Segment('a'.repeat(159) + '€')).toBe(false);
    expect(isSingleGsm7Segment('èéùìòÄÖÑÜ')).toBe(true); // these accents are GSM-7 basic...
    expect(isSingleGsm7Segment('Odbiór')).toBe(false); // ...but ó is not (ò is), nor any Polish letter
    expect(isSingleGsm7Segment('ą')).toBe(false);
    expect(isSingleGsm7Segment('é`')).toBe(false);
  });
});

describe('warsawDeadline', () => {
  it('says the Warsaw date and hour, across midnight and both DST changes', () => {
    expect(warsawDeadline(new Date('2026-12-08T14:00:00Z'))).toBe('08.12.2026 15:00'); // CET, UTC+1
    expect(warsawDeadline(new Date('2026-12-07T23:30:00Z'))).toBe('08.12.2026 00:30'); // next day in Warsaw
    expect(warsawDeadline(new Date('2026-07-31T22:30:00Z'))).toBe('01.08.2026 00:30'); // CEST, UTC+2
    expect(warsawDeadline(new Date('2026-03-29T00:59:00Z'))).toBe('29.03.2026 01:59'); // spring forward...
    expect(warsawDeadline(new Date('2026-03-29T01:00:00Z'))).toBe('29.03.2026 03:00'); // ...skips 02:xx
    expect(warsawDeadline(new Date('2026-10-25T00:30:00Z'))).toBe('25.10.2026 02:30'); // fall back: 02:30 CEST
    expect(warsawDeadline(new Date('2026-10-25T01:30:00Z'))).toBe('25.10.2026 02:30'); // and 02:30 CET
  });

  it('refuses an invalid date', () => {
    expect(() => warsawDeadline(new Date('nonsense'))).toThrow(RangeError);
  });
});

describe('codeMessage', () => {
  it('reads as designed for ordinary names', () => {
    const text = codeMessage({ code: '12345678', documentName: 'Dowód osobisty', lockerName: 'Focha 19', expiresAt: new Date('2026-12-08T14:00:00Z') });
    expect(text).toBe('Dokument Dowod osobisty czeka w urzedomacie Focha 19. Kod odbioru: 12345678. Odbior do 08.12.2026 15:00.');
  });

  it('for any names, code and date: one GSM-7 segment, the code present and the only 8+ digit run', () => {
    for (const make of [codeMessage, newCodeMessage]) {
      fc.assert(
        fc.property(code, name, name, date, (c, documentName, lockerName, expiresAt) => {
          const text = make({ code: c, documentName, lockerName, expiresAt });
          expect(text.length).toBeLessThanOrEqual(160);
          expect(text).toMatch(PLAIN);
          expect(isSingleGsm7Segment(text)).toBe(true);
          expect(longDigitRuns(text)).toEqual([c]);
          expect(text).toContain(warsawDeadline(expiresAt));
        }),
        { numRuns: 500 },
      );
    }
  });

  it('shortens long names with an ellipsis and collapses long digit runs in them', () => {
    const text = codeMessage({
      code: '00000001',
      documentName: 'Odpis zupełny aktu urodzenia nr 2026/123456789012 wydany na wniosek strony',
      lockerName: 'Urzędomat przy ulicy Śląskiej 1234567 w Częstochowie, wejście od podwórza',
      expiresAt: new Date('2026-12-08T14:00:00Z'),
    });
    expect(text.length).toBeLessThanOrEqual(160);
    expect(text).toContain('...');
    expect(text).not.toContain('123456789012');
    expect(longDigitRuns(text)).toEqual(['00000001']);
  });

  it('throws unless the code is exactly 8 digits, without echoing it', () => {
    const base = { documentName: 'Paszport', lockerName: 'Focha', expiresAt: new Date('2026-12-08T14:00:00Z') };
    for (const bad of ['1234567', '123456789', '1234567a', ' 12345678', '１２３４５６７８', '']) {
      expect(() => codeMessage({ ...base, code: bad })).toThrow(RangeError);
      expect(() => newCodeMessage({ ...base, code: bad })).toThrow(RangeError);
    }
    // The error goes to logs: it must not carry the (maybe nearly right) code.
    expect(() => codeMessage({ ...base, code: '7654321x' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('7654321') }));
  });
});

describe('newCodeMessage', () => {
  it('says the code is new and the previous one no longer works', () => {
    const text = newCodeMessage({ code: '87654321', documentName: 'Paszport', lockerName: 'Focha 19', expiresAt: new Date('2026-07-01T08:00:00Z') });
    expect(text).toMatch(/Nowy kod odbioru: 87654321/);
    expect(text).toMatch(/poprzedni nie dziala/);
    expect(text).toContain('01.07.2026 10:00');
  });
});

describe('reminderMessage', () => {
  it('for any names and date: one GSM-7 segment, the deadline, and no 8+ digit run at all', () => {
    fc.assert(
      fc.property(name, name, date, (documentName, lockerName, expiresAt) => {
        const text = reminderMessage({ documentName, lockerName, expiresAt });
        expect(text.length).toBeLessThanOrEqual(160);
        expect(text).toMatch(PLAIN);
        expect(isSingleGsm7Segment(text)).toBe(true);
        expect(longDigitRuns(text)).toEqual([]);
        expect(text).toContain(warsawDeadline(expiresAt));
      }),
      { numRuns: 500 },
    );
  });

  it('names the document and the locker', () => {
    const text = reminderMessage({ documentName: 'Prawo jazdy', lockerName: 'Focha 19', expiresAt: new Date('2026-12-08T14:00:00Z') });
    expect(text).toBe('Przypominamy: dokument Prawo jazdy czeka w urzedomacie Focha 19 do 08.12.2026 15:00. Kod odbioru jest w poprzednim SMS.');
  });
});
