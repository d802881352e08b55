import type { Words } from '../panel/i18n.js';

/** The alarm kinds a locker raises (contracts.md §5.3 and the locker's sources), in the panel's two languages. */
export const alarmKinds: Readonly<Record<string, Words>> = {
  'forced-open': { pl: 'drzwiczki otwarte siłą', en: 'door forced open' },
  'door-left-open': { pl: 'drzwiczki pozostawione otwarte', en: 'door left open' },
  'brute-force': { pl: 'zgadywanie kodów lub PIN-ów', en: 'codes or PINs being guessed' },
  tamper: { pl: 'naruszenie obudowy', en: 'enclosure tampered with' },
  'board-offline': { pl: 'sterownik zamków nie odpowiada', en: 'lock board offline' },
  'feed-rejected': { pl: 'odrzucone dane z urzędu', en: 'office feed rejected' },
  'ack-rejected': { pl: 'odrzucone potwierdzenie urzędu', en: 'office acknowledgement rejected' },
  'feed-stale': { pl: 'dane z urzędu zbyt stare', en: 'office feed stale' },
  'ack-stale': { pl: 'brak potwierdzeń z urzędu', en: 'office acknowledgements stale' },
  'policy-refused-at-release': { pl: 'wydanie wstrzymane przez zasady', en: 'release refused by policy' },
};

/** A kind the office does not know is shown as the locker sent it, reduced to harmless characters. */
export function alarmKindWords(kind: string): Words {
  const known = alarmKinds[kind];
  if (known !== undefined) return known;
  const shown = kind.replace(/[^A-Za-z0-9._-]/g, '?').slice(0, 64);
  return { pl: shown, en: shown };
}
