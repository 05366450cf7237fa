import type { AccountCode } from '../../ledger/accounts';
import { CHART_OF_ACCOUNTS } from '../../ledger/accounts';
import { LEDGER_KINDS, type LedgerKind } from '../../ledger/postings';
import { formatMoney } from '../../signup/i18n';
import type { LedgerPageRow } from '../../treasurer/queries';
import { formatCount, formatDay, type Messages } from '../i18n';
import { ConsolePage, Field, SelectField, type PageProps } from '../layout';
import { ScrollTable } from './dashboard';

type Frame = Omit<PageProps, 'title' | 'children'>;

/** The ledger page's filters, as they stand in its address. */
export interface LedgerFilters {
  from?: string | undefined;
  to?: string | undefined;
  kind?: LedgerKind | undefined;
  member?: string | undefined;
  plan?: string | undefined;
  payout?: string | undefined;
}

const query = (pairs: [string, string | undefined][]) => {
  const params = new URLSearchParams(pairs.filter((pair): pair is [string, string] => pair[1] !== undefined));
  const text = params.toString();
  return text ? `?${text}` : '';
};

export const ledgerHref = (filters: LedgerFilters, after?: string) =>
  `/console/ledger${query([['from', filters.from], ['to', filters.to], ['kind', filters.kind], ['member', filters.member], ['plan', filters.plan], ['payout', filters.payout], ['after', after]])}`;

/** The export stream with the same filters, under the API's names. */
const exportHref = (filters: LedgerFilters, format: 'csv' | 'xlsx') =>
  `/api/ledger/export${query([['from', filters.from], ['to', filters.to], ['kind', filters.kind], ['memberId', filters.member], ['planId', filters.plan], ['payoutId', filters.payout], ['format', format]])}`;

/** The accountant's journal for the page's days (all transactions in them: an accountant books them all). */
const journalHref = (from: string, to: string, format: 'qbo' | 'xero' | 'iif') => `/api/accounting/journal${query([['from', from], ['to', to], ['format', format]])}`;

/** Signed minor units as money: formatMoney writes magnitudes. */
const signedMoney = (cents: number, currency: string) => (cents < 0 ? `-${formatMoney(-cents, currency)}` : formatMoney(cents, currency));

const accountsIn = (m: Messages, codes: string | null) => (codes ? codes.split(';').map((code) => m.accounts[code as AccountCode] ?? code).join(', ') : m.none);

export function LedgerPage(props: {
  frame: Frame;
  filters: LedgerFilters;
  plans: { id: string; name: string }[];
  rows: LedgerPageRow[];
  balances: { code: AccountCode; balance: number }[];
  currency: string;
  nextCursor: string | undefined;
  paged: boolean;
}) {
  const { frame, filters, currency } = props;
  const m = frame.session.m;
  const filtered = Object.values(filters).some((value) => value !== undefined);
  const balanceOf = new Map(props.balances.map((b) => [b.code, b.balance]));
  return (
    <ConsolePage {...frame} title={m.ledgerTitle}>
      <p>{m.ledgerIntro}</p>
      <form method="get" action="/console/ledger" class="panel" role="search" aria-label={m.ledgerFilters}>
        <div class="filters">
          <Field id="from" label={m.ledgerFrom} value={filters.from} type="date" />
          <Field id="to" label={m.ledgerTo} value={filters.to} type="date" />
          <SelectField id="kind" label={m.ledgerKind} value={filters.kind ?? ''} options={[{ value: '', label: m.any }, ...LEDGER_KINDS.map((kind) => ({ value: kind, label: m.kinds[kind] }))]} />
          <SelectField id="plan" label={m.ledgerPlan} value={filters.plan ?? ''} options={[{ value: '', label: m.any }, ...props.plans.map((plan) => ({ value: plan.id, label: plan.name }))]} />
          <Field id="member" label={m.ledgerMember} hint={m.ledgerMemberHint} value={filters.member} />
          <Field id="payout" label={m.ledgerPayout} hint={m.ledgerPayoutHint} value={filters.payout} />
        </div>
        <div class="actions">
          <button type="submit">{m.ledgerApply}</button>
          {filtered ? <a href="/console/ledger">{m.ledgerClear}</a> : null}
        </div>
      </form>
      <p class="actions">
        <span>{m.ledgerExport}:</span>
        <a class="button secondary" href={exportHref(filters, 'csv')} download>
          {m.ledgerCsv}
        </a>
        <a class="button secondary" href={exportHref(filters, 'xlsx')} download>
          {m.ledgerXlsx}
        </a>
      </p>
      <section aria-labelledby="accountant-title" class="panel">
        <h2 id="accountant-title">{m.ledgerAccountantTitle}</h2>
        {filters.from && filters.to ? (
          <>
            <p class="hint">{m.ledgerAccountantNote(formatDay(m, filters.from), formatDay(m, filters.to))}</p>
            <p class="actions">
              {(['qbo', 'xero', 'iif'] as const).map((format) => (
                <a class="button secondary" href={journalHref(filters.from!, filters.to!, format)} download>
                  {m.ledgerAccountantFormats[format]}
                </a>
              ))}
            </p>
          </>
        ) : (
          <p class="hint">{m.ledgerAccountantChoose}</p>
        )}
      </section>

      <section aria-labelledby="balances-title">
        <h2 id="balances-title">{m.ledgerBalancesTitle(filters.to ? formatDay(m, filters.to) : null)}</h2>
        <p class="hint">{m.ledgerBalancesNote}</p>
        <table>
          <thead>
            <tr>
              <th scope="col">{m.ledgerAccount}</th>
              <th scope="col" class="num">
                {m.ledgerBalance}
              </th>
            </tr>
          </thead>
          <tbody>
            {CHART_OF_ACCOUNTS.filter((account) => balanceOf.has(account.code)).map((account) => (
              <tr>
                <th scope="row">{m.accounts[account.code]}</th>
                <td class="num">{signedMoney(balanceOf.get(account.code) ?? 0, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="transactions-title">
        <h2 id="transactions-title">{m.ledgerCaption(formatCount(m, props.rows.length), props.rows.length, props.nextCursor !== undefined)}</h2>
        {props.rows.length === 0 ? (
          <p class="notice">{m.ledgerEmpty}</p>
        ) : (
          <ScrollTable id="transactions" label={m.ledgerTable}>
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">{m.ledgerColumns.dateAndKind}</th>
                  <th scope="col">{m.ledgerColumns.description}</th>
                  <th scope="col">{m.ledgerColumns.member}</th>
                  <th scope="col">{m.ledgerColumns.method}</th>
                  <th scope="col" class="num">
                    {m.ledgerColumns.amount}
                  </th>
                  <th scope="col">{m.ledgerColumns.debit}</th>
                  <th scope="col">{m.ledgerColumns.credit}</th>
                </tr>
              </thead>
              <tbody>
                {props.rows.map((row) => (
                  <tr>
                    <td class="lead">
                      <strong>{formatDay(m, row.day)}</strong> · {m.kinds[row.kind]}
                    </td>
                    <td class="wrap" data-label={m.ledgerColumns.description}>
                      {row.description}
                      {row.original_day ? <span class="hint"> {m.ledgerOriginalDay(formatDay(m, row.original_day))}</span> : null}
                    </td>
                    <td data-label={m.ledgerColumns.member}>{row.member_id ? <a href={`/console/members/${row.member_id}`}>{row.member_name ?? row.member_id}</a> : m.none}</td>
                    <td data-label={m.ledgerColumns.method}>{row.payment_method ? m.ledgerMethods[row.payment_method] : m.none}</td>
                    <td class="num" data-label={m.ledgerColumns.amount}>
                      {formatMoney(row.amount_cents, row.currency)}
                    </td>
                    <td data-label={m.ledgerColumns.debit}>{accountsIn(m, row.debit_accounts)}</td>
                    <td data-label={m.ledgerColumns.credit}>{accountsIn(m, row.credit_accounts)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        )}
        <div class="pager">
          {props.paged ? <a href={ledgerHref(filters)}>{m.firstPage}</a> : null}
          {props.nextCursor ? (
            <a href={ledgerHref(filters, props.nextCursor)} rel="next">
              {m.nextPage}
            </a>
          ) : null}
        </div>
      </section>
    </ConsolePage>
  );
}
