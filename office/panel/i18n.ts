/** The panel speaks Polish, and English on request (the `lang` cookie, set by the switch in every page's header). */
export type Lang = 'pl' | 'en';

export interface Words {
  readonly pl: string;
  readonly en: string;
}

export const say = (lang: Lang, w: Words): string => w[lang];

export function langOf(cookieValue: string | undefined): Lang {
  return cookieValue === 'en' ? 'en' : 'pl';
}

/** Dates as a clerk in Częstochowa reads them, in either language. */
export function when(lang: Lang, d: Date | null | undefined): string {
  if (d === null || d === undefined) return '';
  return new Intl.DateTimeFormat(lang === 'pl' ? 'pl-PL' : 'en-GB', { timeZone: 'Europe/Warsaw', dateStyle: 'short', timeStyle: 'short' }).format(d);
}

/** A calendar day (no time), in the clerk's language. */
export function day(lang: Lang, d: Date | null | undefined): string {
  if (d === null || d === undefined) return '';
  return new Intl.DateTimeFormat(lang === 'pl' ? 'pl-PL' : 'en-GB', { timeZone: 'Europe/Warsaw', dateStyle: 'short' }).format(d);
}
