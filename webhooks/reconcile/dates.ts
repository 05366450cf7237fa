import { todayIn } from '../../src/organizations/calendar';

/** The organization's calendar day of a Stripe timestamp (unix seconds). */
export const localDay = (unixSeconds: number, timeZone: string): string => todayIn(timeZone, new Date(unixSeconds * 1000));

/**
 * The last day a billing period [start, end) covers, in the organization's time zone: the
 * day of its final second. A member whose period ends at the next renewal is paid through
 * that day.
 */
export const lastDayCovered = (periodEndUnix: number, timeZone: string): string => todayIn(timeZone, new Date(periodEndUnix * 1000 - 1000));
