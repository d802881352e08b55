import { when } from '../panel/i18n.js';
import { alarmKindWords } from './kinds.js';

export interface AlertAlarm {
  readonly at: Date;
  readonly compartment: number | null;
}

export interface AlertMessage {
  readonly subject: string;
  readonly text: string;
}

/** At most this many alarms are listed one by one; the rest are counted. */
const listed = 50;

/**
 * The e-mail for one locker and alarm kind, in Polish and then English. It names the locker, the kind, when and
 * which compartment: never a code, a phone number or a PIN (the office's alarms hold none of them).
 */
export function alertMessage(locker: { id: string; name: string }, kind: string, alarms: readonly AlertAlarm[], throttleMinutes: number): AlertMessage {
  const k = alarmKindWords(kind);
  const n = alarms.length;
  const oneLine = (s: string): string => s.replace(/[\r\n\t]+/g, ' ').trim();
  const name = oneLine(locker.name);
  const lines = (lang: 'pl' | 'en'): string[] => {
    const out = alarms.slice(0, listed).map((a) => ` - ${when(lang, a.at)}${a.compartment === null ? '' : lang === 'pl' ? ` · skrytka ${a.compartment}` : ` · compartment ${a.compartment}`}`);
    if (n > listed) out.push(lang === 'pl' ? ` - … i ${n - listed} więcej` : ` - … and ${n - listed} more`);
    return out;
  };
  const subject = `[urzędomat] Alarm: ${k.pl} / ${k.en}${n > 1 ? ` (${n})` : ''} — ${name} (${locker.id})`;
  const text = [
    `Urzędomat „${name}” (${locker.id}) zgłosił alarm: ${k.pl}.`,
    '',
    n === 1 ? 'Kiedy (czas polski):' : `Zgłoszenia (${n}; czas polski):`,
    ...lines('pl'),
    '',
    `Alarmy jednego rodzaju z jednego urzędomatu wysyłamy e-mailem najwyżej raz na ${throttleMinutes} min; kolejne zgłoszenia z tego czasu trafią do następnej wiadomości.`,
    `Szczegóły i oznaczenie jako załatwione: panel urzędu, Urzędomaty → ${name}.`,
    '',
    '----',
    '',
    `The locker "${name}" (${locker.id}) raised an alarm: ${k.en}.`,
    '',
    n === 1 ? 'When (Polish time):' : `Reports (${n}; Polish time):`,
    ...lines('en'),
    '',
    `Alarms of one kind from one locker are e-mailed at most once every ${throttleMinutes} min; further reports within that time go into the next message.`,
    `Details, and marking it dealt with: the office panel, Lockers → ${name}.`,
    '',
  ].join('\n');
  return { subject, text };
}
