import { addMonths, addWeeks, addYears } from 'date-fns';
import type { SignupPaymentMethod } from '../../db/database';
import type { BillingPeriod } from '../plans/dues';
import { formatMoney, type Messages } from './i18n';

/**
 * The day the next dues payment falls on, one billing period after the first: Stripe bills
 * a subscription again on the day of the month it started (the month's last day when it
 * has no such day), as date-fns adds months.
 */
export function nextDuesDay(firstDay: string, period: BillingPeriod): string {
  const start = new Date(`${firstDay}T00:00:00Z`);
  const next = period.interval === 'week' ? addWeeks(start, period.intervalCount) : period.interval === 'month' ? addMonths(start, period.intervalCount) : addYears(start, period.intervalCount);
  return next.toISOString().slice(0, 10);
}

export interface WelcomeFacts {
  planName: string;
  currency: string;
  period: BillingPeriod;
  duesCents: number;
  paymentMethod: SignupPaymentMethod;
}

/** What the welcome page says was chosen, as term and detail, in the member's language. */
export function welcomeDetails(m: Messages, facts: WelcomeFacts, today: string): Array<[string, string]> {
  const next = new Intl.DateTimeFormat(m.htmlLang === 'es' ? 'es-MX' : 'en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${nextDuesDay(today, facts.period)}T00:00:00Z`));
  return [
    [m.planLegend, facts.planName],
    [m.welcomeDues, `${formatMoney(facts.duesCents, facts.currency)} ${m.period(facts.period)}`],
    [m.paymentLegend, facts.paymentMethod === 'card' ? m.card : m.bankAccount],
    [m.welcomeNextPayment, m.welcomeNextPaymentDate(next)],
  ];
}
