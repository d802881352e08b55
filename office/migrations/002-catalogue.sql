-- The catalogue a civil registry office starts with. Prawo o aktach stanu cywilnego (ustawa z 28 listopada
-- 2014 r.), art. 44-45: odpisy and zaświadczenia are issued on request and may be handed over without a
-- signed receipt; the identity card (ustawa o dowodach osobistych, art. 37) is handed over in person only.
INSERT INTO document_type (code, name_pl, name_en, locker_release, legal_basis) VALUES
  ('odpis-skrocony-aktu-urodzenia', 'Odpis skrócony aktu urodzenia', 'Short birth certificate', true, 'Prawo o aktach stanu cywilnego, art. 44'),
  ('odpis-zupelny-aktu-urodzenia', 'Odpis zupełny aktu urodzenia', 'Full birth certificate', true, 'Prawo o aktach stanu cywilnego, art. 44'),
  ('odpis-skrocony-aktu-malzenstwa', 'Odpis skrócony aktu małżeństwa', 'Short marriage certificate', true, 'Prawo o aktach stanu cywilnego, art. 44'),
  ('odpis-zupelny-aktu-malzenstwa', 'Odpis zupełny aktu małżeństwa', 'Full marriage certificate', true, 'Prawo o aktach stanu cywilnego, art. 44'),
  ('odpis-skrocony-aktu-zgonu', 'Odpis skrócony aktu zgonu', 'Short death certificate', true, 'Prawo o aktach stanu cywilnego, art. 44'),
  ('zaswiadczenie-o-stanie-cywilnym', 'Zaświadczenie o stanie cywilnym', 'Certificate of civil status', true, 'Prawo o aktach stanu cywilnego, art. 45'),
  ('dowod-osobisty', 'Dowód osobisty', 'Identity card', false, 'Ustawa o dowodach osobistych, art. 37: odbiór osobisty');
