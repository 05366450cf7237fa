// Calendar arithmetic in UTC unix seconds, as Stripe bills: monthly periods keep the anchor's day of
// month, clamped to shorter months (Jan 31 -> Feb 28 -> Mar 31).

export type Interval = 'day' | 'week' | 'month' | 'year';

export const DAY = 86_400;

export function realNow(): number {
  return Math.floor(Date.now() / 1000);
}

export function startOfUtcDay(t: number): number {
  return Math.floor(t / DAY) * DAY;
}

function addMonthsClamped(t: number, months: number): number {
  const d = new Date(t * 1000);
  const total = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return Math.floor(Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000);
}

/** The end of billing period number `n` (1-based) counted from `anchor`. */
export function periodBoundary(anchor: number, interval: Interval, count: number, n: number): number {
  switch (interval) {
    case 'day':
      return anchor + n * count * DAY;
    case 'week':
      return anchor + n * count * 7 * DAY;
    case 'month':
      return addMonthsClamped(anchor, n * count);
    case 'year':
      return addMonthsClamped(anchor, n * count * 12);
  }
}
