import type { Language } from '../../../db/database';
import { en, smsBodyEn, type Messages } from './en';
import { es, smsBodyEs } from './es';

export type { Messages };

const CATALOGUES: Record<Language, Messages> = { en, es };
export const messagesFor = (language: Language): Messages => CATALOGUES[language];

/** The text message to a member, in the member's language (not the organizer's). */
export const smsBody = (language: Language, facts: Parameters<typeof smsBodyEn>[0]): string => (language === 'es' ? smsBodyEs(facts) : smsBodyEn(facts));

// Intl formatters are costly to build and cheap to reuse: one per locale (and time zone).
const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let format = cache.get(key) as T | undefined;
  if (!format) cache.set(key, (format = make()));
  return format;
}

// A call list formats some sixty days a page, mostly the same few hundred days from page to
// page: each day is formatted once per locale (the store emptied when it grows past a year's worth).
const formattedDays = new Map<string, Map<string, string>>();

/** A calendar day ('YYYY-MM-DD') as people read it: "Nov 24, 2026", "24 nov 2026". */
export function formatDay(m: Messages, day: string): string {
  let days = formattedDays.get(m.locale);
  if (days === undefined) formattedDays.set(m.locale, (days = new Map()));
  let text = days.get(day);
  if (text === undefined) {
    const [year, month, date] = day.split('-').map(Number) as [number, number, number];
    text = cached(`day:${m.locale}`, () => new Intl.DateTimeFormat(m.locale, { dateStyle: 'medium', timeZone: 'UTC' })).format(Date.UTC(year, month - 1, date));
    if (days.size >= 2000) days.clear();
    days.set(day, text);
  }
  return text;
}

/** An instant as the day and time it was in the organization's time zone. */
export function formatInstant(m: Messages, instant: Date, timeZone: string): string {
  return cached(`instant:${m.locale}:${timeZone}`, () => new Intl.DateTimeFormat(m.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone })).format(instant);
}

/** A month ('YYYY-MM') by name: "November 2026", "noviembre de 2026". */
export function formatMonth(m: Messages, month: string): string {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return cached(`month:${m.locale}`, () => new Intl.DateTimeFormat(m.locale, { month: 'long', year: 'numeric', timeZone: 'UTC' })).format(Date.UTC(year, monthNumber - 1, 1));
}

export function formatCount(m: Messages, n: number): string {
  return cached(`count:${m.locale}`, () => new Intl.NumberFormat(m.locale)).format(n);
}

/** A share (0–1) as a whole percentage. */
export function formatShare(m: Messages, share: number): string {
  return cached(`share:${m.locale}`, () => new Intl.NumberFormat(m.locale, { style: 'percent', maximumFractionDigits: 0 })).format(share);
}

/** A month ('YYYY-MM') as a chart's axis names it: "Nov", "nov". */
export function formatShortMonth(m: Messages, month: string): string {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return cached(`short-month:${m.locale}`, () => new Intl.DateTimeFormat(m.locale, { month: 'short', timeZone: 'UTC' })).format(Date.UTC(year, monthNumber - 1, 1)).replace('.', '');
}

/** Basis points as a percentage to a tenth: 320 → "3.2%" ("3,2 %" in Spanish). */
export function formatRate(m: Messages, basisPoints: number): string {
  return cached(`rate:${m.locale}`, () => new Intl.NumberFormat(m.locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 })).format(basisPoints / 10_000);
}
