import type { MonthState, ReadinessReason } from '../../months/queries';
import { formatInstant, formatMonth, type Messages } from '../i18n';
import { ConsolePage, Csrf, type PageProps } from '../layout';
import { ScrollTable } from './dashboard';
import { signedMoney } from './payroll';

type Frame = Omit<PageProps, 'title' | 'children'>;

/** A reason in the page's language; Stripe's and the ledger check's own words stay as they are. */
function reasonText(m: Messages, reason: ReadinessReason): string {
  switch (reason.code) {
    case 'month_not_over':
      return m.monthNotOver;
    case 'webhook_events_unsettled':
      return m.monthEventsUnsettled(reason.count);
    case 'payout_unmatched':
      return `${m.monthPayoutUnmatched}: ${reason.detail}`;
    case 'ledger_check':
      return `${m.monthLedgerCheck}: ${reason.detail}`;
    case 'bank_unmatched':
      return m.bank.monthBankUnmatched(reason.count);
    case 'payroll_suspense_unexplained':
      return m.payroll.monthSuspenseUnexplained(reason.count);
  }
}

/** The remittances a reason is about, each linking to where its difference is explained. */
function ReasonRemittances(props: { m: Messages; reason: ReadinessReason }) {
  const { m, reason } = props;
  if (reason.code !== 'payroll_suspense_unexplained') return null;
  return (
    <ul>
      {reason.remittances.map((r) => (
        <li>
          <a href={`/console/remittances/${r.remittanceId}`}>{m.payroll.monthSuspenseRemittance(r.employerName, signedMoney(r.heldCents, r.currency))}</a>
        </li>
      ))}
    </ul>
  );
}

/** The last months with their closing state: a close button for each ready one, reopen for admins. */
export function MonthsPage(props: { frame: Frame; months: MonthState[]; canReopen: boolean; bankImported: boolean }) {
  const { frame } = props;
  const { m, csrf, organization } = frame.session;
  return (
    <ConsolePage {...frame} title={m.monthsTitle}>
      <p>{m.monthsIntro}</p>
      <p>{m.bank.monthsBankNote(props.bankImported)}</p>
      <ScrollTable id="months" label={m.monthsTitle}>
        <table>
          <caption class="visually-hidden">{m.monthsTitle}</caption>
          <thead>
            <tr>
              <th scope="col">{m.closingMonthColumn}</th>
              <th scope="col">{m.monthStateColumn}</th>
              <th scope="col">{m.monthActionColumn}</th>
            </tr>
          </thead>
          <tbody>
            {props.months.map((state) => {
              const name = formatMonth(m, state.month);
              const ready = !state.closed && state.reasons.length === 0;
              return (
                <tr>
                  <th scope="row">{name}</th>
                  <td class="wrap">
                    {state.closed ? (
                      m.monthClosedOn(formatInstant(m, state.closedAt!, organization.timeZone))
                    ) : ready ? (
                      m.monthReady
                    ) : (
                      <>
                        {m.monthNotReady}
                        <ul>
                          {state.reasons.map((reason) => (
                            <li>
                              {reasonText(m, reason)}
                              <ReasonRemittances m={m} reason={reason} />
                            </li>
                          ))}
                        </ul>
                      </>
                    )}
                  </td>
                  <td>
                    {ready ? (
                      <form method="post" action={`/console/months/${state.month}/close`}>
                        <Csrf token={csrf} />
                        {/* Named with the month in an aria-label: a hidden span would sit past the scrolling table's edge and widen the page. */}
                        <button type="submit" aria-label={`${m.monthClose} ${name}`}>
                          {m.monthClose}
                        </button>
                      </form>
                    ) : state.closed && props.canReopen ? (
                      <form method="post" action={`/console/months/${state.month}/reopen`}>
                        <Csrf token={csrf} />
                        <button type="submit" class="secondary" aria-label={`${m.monthReopen} ${name}`}>
                          {m.monthReopen}
                        </button>
                      </form>
                    ) : (
                      m.none
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollTable>
    </ConsolePage>
  );
}
