import { todayIn } from '../../organizations/calendar';
import type { PerCapitaPayment } from '../../treasurer/per-capita-queries';
import type { AnnualReport, PerCapitaReport } from '../../treasurer/report-queries';
import type { MonthlySummary } from '../../treasurer/reports/monthly';
import type { MoneyFigures } from '../../treasurer/reports/totals';
import { formatMoney } from '../../signup/i18n';
import { formatCount, formatDay, formatMonth, type Messages } from '../i18n';
import { ConsolePage, Csrf, ErrorSummary, Field, SelectField, type PageProps } from '../layout';
import { ScrollTable } from './dashboard';

type Frame = Omit<PageProps, 'title' | 'children'>;

const MONEY_LINES: ReadonlyArray<keyof MoneyFigures> = ['duesReceivedCents', 'initiationFeesCents', 'paymentReversalsCents', 'processingFeesCents', 'refundsCents', 'disputesCents', 'disputeFeesCents', 'netCents'];

/** Cents with a minus sign when negative (a month can keep less than it paid out). */
export const signedMoney = (cents: number, currency: string) => (cents < 0 ? `−${formatMoney(-cents, currency)}` : formatMoney(cents, currency));

/** The links between the three reports, the current one left out. */
function OtherReports(props: { m: Messages; current: 'monthly' | 'annual' | 'per-capita' }) {
  const r = props.m.reports;
  const links = [
    { key: 'monthly', href: '/console/reports', label: r.monthlyLink },
    { key: 'annual', href: '/console/reports/annual', label: r.annualLink },
    { key: 'per-capita', href: '/console/reports/per-capita', label: r.perCapitaLink },
  ].filter((link) => link.key !== props.current);
  return (
    <nav aria-label={r.otherReports}>
      <ul>
        {links.map((link) => (
          <li>
            <a href={link.href}>{link.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The GET form choosing the report's month or year: the choice stays in the address. */
function ChooseForm(props: { m: Messages; action: string; field: 'month' | 'year'; value: string }) {
  const r = props.m.reports;
  return (
    <form method="get" action={props.action} class="panel" role="search" aria-label={props.field === 'month' ? r.monthField : r.yearField}>
      <Field id={props.field} label={props.field === 'month' ? r.monthField : r.yearField} hint={props.field === 'month' ? r.monthHint : r.yearHint} value={props.value} inputMode="numeric" />
      <div class="actions">
        <button type="submit">{r.show}</button>
      </div>
    </form>
  );
}

/** One download per page: its text alone names it (an aria-label not starting with the visible words fails WCAG 2.5.3). */
function CsvLink(props: { m: Messages; href: string }) {
  return (
    <p>
      <a class="button secondary" href={props.href} download>
        {props.m.reports.downloadCsv}
      </a>
    </p>
  );
}

/** Lines of money as a two-column table that turns into a list on phones. */
function MoneyTable(props: { m: Messages; id: string; caption: string; rows: Array<[string, string]>; valueColumn: string }) {
  const r = props.m.reports;
  return (
    <ScrollTable id={props.id} label={props.caption}>
      <table class="stack">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{r.lineColumn}</th>
            <th scope="col" class="num">
              {props.valueColumn}
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map(([label, value]) => (
            <tr>
              <th scope="row">{label}</th>
              <td class="num" data-label={props.valueColumn}>
                {value}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollTable>
  );
}

export function MonthlyReportPage(props: { frame: Frame; summary: MonthlySummary; closed: boolean }) {
  const { frame, summary } = props;
  const m = frame.session.m;
  const r = m.reports;
  const name = formatMonth(m, summary.month);
  const title = r.monthlyTitle(name);
  return (
    <ConsolePage {...frame} title={title}>
      <p>{r.monthlyIntro}</p>
      {props.closed ? <p class="notice">{r.closedNote}</p> : null}
      <ChooseForm m={m} action="/console/reports" field="month" value={summary.month} />
      <CsvLink m={m} href={`/api/reports/monthly?month=${summary.month}&format=csv`} />
      <MoneyTable m={m} id="monthly-money" caption={r.moneyCaption} valueColumn={r.amountColumn} rows={MONEY_LINES.map((key) => [r.moneyLines[key], signedMoney(summary[key], summary.currency)])} />
      <MoneyTable
        m={m}
        id="monthly-members"
        caption={r.membersCaption}
        valueColumn={r.countColumn}
        rows={(['paying', 'joined', 'lapsed', 'recovered'] as const).map((key) => [r.memberLines[key], formatCount(m, summary.members[key])])}
      />
      <OtherReports m={m} current="monthly" />
    </ConsolePage>
  );
}

export function AnnualReportPage(props: { frame: Frame; receipts: AnnualReport }) {
  const { frame, receipts } = props;
  const m = frame.session.m;
  const r = m.reports;
  const title = r.annualTitle(receipts.fiscalYear);
  const money = (cents: number) => signedMoney(cents, receipts.currency);
  return (
    <ConsolePage {...frame} title={title}>
      <p>{r.annualIntro(formatDay(m, receipts.from), formatDay(m, receipts.to))}</p>
      <ChooseForm m={m} action="/console/reports/annual" field="year" value={String(receipts.fiscalYear)} />
      <p class="notice">
        <strong>{r.formLine(receipts.form)}</strong>
      </p>
      <CsvLink m={m} href={`/api/reports/annual?fiscalYear=${receipts.fiscalYear}&format=csv`} />
      <MoneyTable
        m={m}
        id="annual-receipts"
        caption={r.receiptsCaption}
        valueColumn={r.amountColumn}
        rows={[
          ...MONEY_LINES.map((key): [string, string] => [r.moneyLines[key], money(receipts[key])]),
          [r.duesAndAgencyFees, money(receipts.duesAndAgencyFeesCents)],
          [r.perCapitaTax, money(receipts.perCapitaTaxCents)],
          [r.totalReceipts, money(receipts.totalReceiptsCents)],
        ]}
      />
      <OtherReports m={m} current="annual" />
    </ConsolePage>
  );
}

export type PaymentField = 'affiliate' | 'amount' | 'paidOn' | 'reference';
export type PaymentValues = Partial<Record<PaymentField, string>>;

/** The form recording a payment to an affiliate for the month shown. */
function PaymentForm(props: { m: Messages; csrf: string; month: string; currency: string; report: PerCapitaReport; values: PaymentValues; errors: PaymentValues }) {
  const r = props.m.reports;
  const { values, errors } = props;
  return (
    <form method="post" action="/console/reports/per-capita/payments" class="panel">
      <h2>{r.payTitle}</h2>
      <p>{r.payIntro}</p>
      <Csrf token={props.csrf} />
      <input type="hidden" name="month" value={props.month} />
      <SelectField id="affiliate" label={r.payAffiliate} value={values.affiliate} error={errors.affiliate} options={props.report.lines.map((line) => ({ value: line.affiliateId, label: line.affiliate }))} />
      <Field id="amount" label={r.payAmount} hint={r.payAmountHint(props.currency.toUpperCase())} value={values.amount} error={errors.amount} autocomplete="off" required />
      <Field id="paidOn" label={r.payPaidOn} type="date" value={values.paidOn} error={errors.paidOn} required />
      <Field id="reference" label={r.payReference} value={values.reference} error={errors.reference} autocomplete="off" required />
      <div class="actions">
        <button type="submit">{r.paySubmit}</button>
      </div>
    </form>
  );
}

function PaymentsTable(props: { m: Messages; timeZone: string; payments: PerCapitaPayment[] }) {
  const { m } = props;
  const r = m.reports;
  if (props.payments.length === 0) return <p class="notice">{r.paymentsEmpty}</p>;
  return (
    <ScrollTable id="per-capita-payments" label={r.paymentsCaption}>
      <table class="stack">
        <caption>{r.paymentsCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{r.paidOnColumn}</th>
            <th scope="col">{r.affiliateColumn}</th>
            <th scope="col">{r.referenceColumn}</th>
            <th scope="col" class="num">
              {r.amountPaidColumn}
            </th>
            <th scope="col">{r.paymentActionColumn}</th>
          </tr>
        </thead>
        <tbody>
          {props.payments.map((payment) => (
            <tr>
              <th scope="row">{formatDay(m, payment.paidOn)}</th>
              <td data-label={r.affiliateColumn}>{payment.affiliate}</td>
              <td data-label={r.referenceColumn}>{payment.reference}</td>
              <td class="num" data-label={r.amountPaidColumn}>
                {payment.reversedAt ? <s>{formatMoney(payment.amountCents, payment.currency)}</s> : formatMoney(payment.amountCents, payment.currency)}
              </td>
              <td data-label={r.paymentActionColumn}>
                {payment.reversedAt ? (
                  r.paymentReversed(formatDay(m, todayIn(props.timeZone, payment.reversedAt)))
                ) : (
                  <a class="button secondary" href={`/console/reports/per-capita/payments/${payment.id}/reverse`} aria-label={r.reversePaymentLabel(payment.reference)}>
                    {r.reversePayment}
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollTable>
  );
}

export function PerCapitaReportPage(props: { frame: Frame; month: string; currency: string; report: PerCapitaReport; payments: PerCapitaPayment[]; monthOver: boolean; values: PaymentValues; errors: PaymentValues }) {
  const { frame, report } = props;
  const m = frame.session.m;
  const r = m.reports;
  const title = r.perCapitaTitle(formatMonth(m, props.month));
  const money = (cents: number) => signedMoney(cents, props.currency);
  const amountCells = (figures: { owedCents: number; paidCents: number; outstandingCents: number }) => (
    <>
      <td class="num" data-label={r.owedColumn}>
        {money(figures.owedCents)}
      </td>
      <td class="num" data-label={r.paidColumn}>
        {money(figures.paidCents)}
      </td>
      <td class="num" data-label={r.outstandingColumn}>
        {money(figures.outstandingCents)}
      </td>
    </>
  );
  return (
    <ConsolePage {...frame} title={title}>
      <ErrorSummary m={m} errors={Object.entries(props.errors).map(([field, message]) => ({ field, message: message! }))} />
      <p>{r.perCapitaIntro(r.members(formatCount(m, report.members), report.members))}</p>
      <ChooseForm m={m} action="/console/reports/per-capita" field="month" value={props.month} />
      {report.lines.length === 0 ? (
        <p class="notice">{r.perCapitaEmpty}</p>
      ) : (
        <>
          <CsvLink m={m} href={`/api/reports/per-capita?month=${props.month}&format=csv`} />
          <ScrollTable id="per-capita" label={r.perCapitaCaption}>
            <table class="stack">
              <caption>{r.perCapitaCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{r.affiliateColumn}</th>
                  <th scope="col">{r.kindColumn}</th>
                  <th scope="col" class="num">
                    {r.rateColumn}
                  </th>
                  <th scope="col">{r.effectiveColumn}</th>
                  <th scope="col" class="num">
                    {r.membersColumn}
                  </th>
                  <th scope="col" class="num">
                    {r.owedColumn}
                  </th>
                  <th scope="col" class="num">
                    {r.paidColumn}
                  </th>
                  <th scope="col" class="num">
                    {r.outstandingColumn}
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.lines.map((line) => (
                  <tr>
                    <th scope="row">{line.affiliate}</th>
                    <td data-label={r.kindColumn}>{r.kinds[line.kind]}</td>
                    <td class="num" data-label={r.rateColumn}>
                      {money(line.rateCents)}
                    </td>
                    <td data-label={r.effectiveColumn}>{formatDay(m, line.effectiveFrom)}</td>
                    <td class="num" data-label={r.membersColumn}>
                      {formatCount(m, line.members)}
                    </td>
                    {amountCells(line)}
                  </tr>
                ))}
                <tr>
                  <th scope="row">{r.total}</th>
                  <td colSpan={4}></td>
                  {amountCells({ owedCents: report.totalCents, paidCents: report.paidCents, outstandingCents: report.outstandingCents })}
                </tr>
              </tbody>
            </table>
          </ScrollTable>
          <PaymentsTable m={m} timeZone={props.frame.session.organization.timeZone} payments={props.payments} />
          {props.monthOver ? (
            <PaymentForm m={m} csrf={frame.session.csrf} month={props.month} currency={props.currency} report={report} values={props.values} errors={props.errors} />
          ) : (
            <p class="notice">{r.payNotYet}</p>
          )}
        </>
      )}
      <OtherReports m={m} current="per-capita" />
    </ConsolePage>
  );
}

/** Before a payment is reversed: what it is, what reversing does, and a way back. */
export function ReversePaymentPage(props: { frame: Frame; payment: PerCapitaPayment }) {
  const { frame, payment } = props;
  const { m, csrf } = frame.session;
  const r = m.reports;
  const back = `/console/reports/per-capita?month=${payment.month}`;
  return (
    <ConsolePage {...frame} title={r.reverseTitle}>
      <dl class="facts">
        <dt>{r.affiliateColumn}</dt>
        <dd>{payment.affiliate}</dd>
        <dt>{r.reverseMonth}</dt>
        <dd>{formatMonth(m, payment.month)}</dd>
        <dt>{r.paidOnColumn}</dt>
        <dd>{formatDay(m, payment.paidOn)}</dd>
        <dt>{r.referenceColumn}</dt>
        <dd>{payment.reference}</dd>
        <dt>{r.amountPaidColumn}</dt>
        <dd>{formatMoney(payment.amountCents, payment.currency)}</dd>
      </dl>
      {payment.reversedAt ? (
        <p class="notice">{r.paymentReversed(formatDay(m, todayIn(frame.session.organization.timeZone, payment.reversedAt)))}</p>
      ) : (
        <form method="post" action={`/console/reports/per-capita/payments/${payment.id}/reverse`} class="panel">
          <Csrf token={csrf} />
          <p>{r.reverseExplained}</p>
          <div class="actions">
            <button type="submit">{r.reverseConfirm}</button>
          </div>
        </form>
      )}
      <p>
        <a href={back}>{r.reverseBack}</a>
      </p>
    </ConsolePage>
  );
}
