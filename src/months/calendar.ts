import { todayIn } from '../organizations/calendar';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month ('YYYY-MM') an instant falls in, in the organization's time zone. */
export function monthIn(timeZone: string, at: Date): string {
  return todayIn(timeZone, at).slice(0, 7);
}

export function nextMonth(month: string): string {
  const match = MONTH.exec(month);
  if (!match) throw new RangeError(`"${month}" is not a month YYYY-MM`);
  const [year, mon] = [Number(match[1]), Number(match[2])];
  return mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
}

export function previousMonth(month: string): string {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return mon === 1 ? `${year - 1}-12` : `${year}-${String(mon - 1).padStart(2, '0')}`;
}

/** The first month after `month` that is not closed. */
export function firstOpenMonthAfter(month: string, closed: ReadonlySet<string>): string {
  let candidate = nextMonth(month);
  while (closed.has(candidate)) candidate = nextMonth(candidate);
  return candidate;
}

/** The `count` months up to and including `month`, newest first. */
export function monthsUpTo(month: string, count: number): string[] {
  const months = [month];
  while (months.length < count) months.push(previousMonth(months[months.length - 1]!));
  return months;
}
