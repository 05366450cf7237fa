import type { PayoutCarries } from '../../bank/payout-carries';
import type { PayoutRow } from '../../bank/queries';
import { formatMoney } from '../../signup/i18n';
import { formatDay } from '../i18n';
import { ConsolePage, type PageProps } from '../layout';
import { ScrollTable } from './dashboard';
import { ledgerHref } from './ledger';

type Frame = Omit<PageProps, 'title' | 'children'>;

export interface PayoutListing extends PayoutRow {
  /** What the payout carries, from Stripe's list of its balance transactions; null when Stripe could not be asked. */
  carries: PayoutCarries | null;
}

/** Each Stripe payout: when it reaches the bank, what it carries, whether the bank statement shows it. */
export function PayoutsPage(props: { frame: Frame; payouts: PayoutListing[]; statementImported: boolean }) {
  const { frame } = props;
  const m = frame.session.m;
  const b = m.bank;
  return (
    <ConsolePage {...frame} title={b.payoutsTitle}>
      <p>{b.payoutsIntro}</p>
      <p>
        <a href="/console/payouts/bank">{b.payoutsToBank}</a>
      </p>
      {props.payouts.length === 0 ? (
        <p class="notice">{b.payoutsEmpty}</p>
      ) : (
        <ScrollTable id="payouts" label={b.payoutsTable}>
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">{b.payoutColumns.arrival}</th>
                <th scope="col" class="num">
                  {b.payoutColumns.amount}
                </th>
                <th scope="col">{b.payoutColumns.status}</th>
                <th scope="col">{b.payoutColumns.carries}</th>
                <th scope="col">{b.payoutColumns.bank}</th>
                <th scope="col">{b.payoutColumns.ledger}</th>
              </tr>
            </thead>
            <tbody>
              {props.payouts.map((payout) => (
                <tr>
                  <td class="lead">
                    <strong>{payout.arrival_date ? formatDay(m, payout.arrival_date) : m.none}</strong> · <code>{payout.id}</code>
                  </td>
                  <td class="num" data-label={b.payoutColumns.amount}>
                    {formatMoney(payout.amount_cents, payout.currency)}
                  </td>
                  <td data-label={b.payoutColumns.status}>{b.payoutStatuses[payout.status] ?? payout.status}</td>
                  <td class="wrap" data-label={b.payoutColumns.carries}>
                    {payout.carries ? b.carries(payout.carries.payments, payout.carries.fees, payout.carries.refunds, payout.carries.disputes) : b.carriesUnavailable}
                  </td>
                  <td data-label={b.payoutColumns.bank}>{payout.bank_booked_on ? b.onStatement(formatDay(m, payout.bank_booked_on)) : props.statementImported ? b.notOnStatement : b.noStatementYet}</td>
                  <td data-label={b.payoutColumns.ledger}>
                    <a href={ledgerHref({ payout: payout.id })} aria-label={b.ledgerLinkLabel(payout.id)}>
                      {b.ledgerLink}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
    </ConsolePage>
  );
}
