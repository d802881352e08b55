-- 007_civil_status_certificates: the legal basis of the multilingual copies corrected, and the certificates
-- (zaświadczenia) a resident asks the civil registry office for added to the seeded catalogue.
--
-- Rows the office has sent (source = 'feed') are never touched: the UPDATE is limited to seeded rows and the
-- INSERT keeps an entry the office already has (ON CONFLICT DO NOTHING).
--
-- Sources checked for the articles cited (2026-11): Prawo o aktach stanu cywilnego, ustawa z 28 listopada
-- 2014 r. (t.j. Dz. U. z 2023 r. poz. 1378), art. 44 (text of the consolidated act); Kodeks rodzinny i
-- opiekuńczy, art. 4¹ and art. 8 (consolidated text Dz. U. z 2015 r. poz. 583); the CIEC's own text of
-- Convention No. 16, art. 1. Not verified against the official journal, and marked below: the Dz. U. entry
-- of the Convention (Dz. U. z 2004 r. Nr 166, poz. 1735, as cited by municipal service cards), and who may
-- receive each certificate (art. 45 ust. 1 and art. 49 of the 2014 act, to be confirmed by the office's lawyer).

-- (a) Multilingual copies. Their basis is not Regulation (EU) 2016/1191 (that regulation is about
-- multilingual standard forms attached to public documents circulating between EU states) but the CIEC
-- Convention No. 16 on the issue of multilingual extracts from civil-status records, Vienna, 8 September
-- 1976, art. 1: such extracts are issued on request, and only to persons entitled to a full (verbatim) copy.
UPDATE document_type
SET legal_basis = 'Prawo o aktach stanu cywilnego (ustawa z 28 listopada 2014 r.), art. 44-45; '
    || 'Konwencja nr 16 Międzynarodowej Komisji Stanu Cywilnego (CIEC) dotycząca wydawania wielojęzycznych odpisów skróconych aktów stanu cywilnego, '
    || 'sporządzona w Wiedniu dnia 8 września 1976 r. (Dz. U. z 2004 r. Nr 166, poz. 1735), art. 1: '
    || 'odpisy wielojęzyczne wydaje się wyłącznie osobom uprawnionym do uzyskania odpisu zupełnego; '
    || 'wydanie przez urzędomat za zgodą wnioskodawcy',
    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE source = 'seed'
  AND code IN ('odpis-wielojezyczny-aktu-urodzenia', 'odpis-wielojezyczny-aktu-malzenstwa', 'odpis-wielojezyczny-aktu-zgonu');

-- (b) Certificates. They are documents the resident collects, not decisions, so the locker may release them
-- with the applicant's consent. Validity: both certificates of art. 44 ust. 1 pkt 2 and 3 are valid for six
-- months (art. 44 ust. 4); the marriage certificate of art. 4¹ KRO likewise (art. 4¹ § 2 KRO).
--
-- zaswiadczenie-o-stanie-cywilnym: art. 44 ust. 1 pkt 3 (verified). It is issued to the person it concerns;
-- the article that says so is art. 49 according to a municipal service card (not verified).
-- zaswiadczenie-o-danych-w-rejestrze: art. 44 ust. 1 pkt 2 (verified); who may receive it (the person, spouse,
-- ascendants, descendants, siblings, legal representative, guardian, a person with a legal interest...) is
-- in the article after art. 44, taken to be art. 45 ust. 1 (to be confirmed by the office's lawyer).
-- zaswiadczenie-do-slubu-konkordatowego: the certificate that no circumstance excludes the marriage, which a
-- couple marrying in religious form with civil effect (art. 1 § 2 and 3 KRO) gives the clergyman. Issued under
-- art. 4¹ § 1 KRO (the "art. 41" of some texts is art. 4¹ with the superscript lost); the clergyman may not
-- take the declarations without it (art. 8 § 1 KRO). Prawo o aktach stanu cywilnego, art. 76 ust. 1: the
-- documents and assurance are given to the head of the office who is to issue it. Art. 86 of that act is
-- not its basis: art. 86 ust. 3 is about drawing up the marriage record once the certificate comes back with
-- the clergyman's one.
INSERT INTO document_type (code, name_pl, name_en, locker_release, legal_basis, source, updated_at) VALUES
  ('zaswiadczenie-o-stanie-cywilnym',
   'Zaświadczenie o stanie cywilnym',
   'Certificate of civil status', 1,
   'Prawo o aktach stanu cywilnego (ustawa z 28 listopada 2014 r.), art. 44 ust. 1 pkt 3 i ust. 4: zaświadczenie o stanie cywilnym, ważne 6 miesięcy; wydanie przez urzędomat za zgodą wnioskodawcy',
   'seed', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  ('zaswiadczenie-o-danych-w-rejestrze',
   'Zaświadczenie o zamieszczonych lub niezamieszczonych w rejestrze stanu cywilnego danych dotyczących wskazanej osoby',
   'Certificate of data present or absent in the civil status register', 1,
   'Prawo o aktach stanu cywilnego (ustawa z 28 listopada 2014 r.), art. 44 ust. 1 pkt 2 i ust. 4, art. 45 ust. 1: zaświadczenie o zamieszczonych lub niezamieszczonych w rejestrze stanu cywilnego danych, ważne 6 miesięcy; wydanie przez urzędomat za zgodą wnioskodawcy',
   'seed', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  ('zaswiadczenie-do-slubu-konkordatowego',
   'Zaświadczenie stwierdzające brak okoliczności wyłączających zawarcie małżeństwa (do ślubu wyznaniowego ze skutkami cywilnymi)',
   'Certificate of no impediment to marriage, for a religious wedding with civil effect', 1,
   'Kodeks rodzinny i opiekuńczy, art. 4¹ § 1-2 (ważne 6 miesięcy) i art. 8 § 1; Prawo o aktach stanu cywilnego (ustawa z 28 listopada 2014 r.), art. 76 ust. 1; wydanie przez urzędomat za zgodą wnioskodawcy',
   'seed', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
ON CONFLICT (code) DO NOTHING;
