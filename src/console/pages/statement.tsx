import type { Standing } from '../../../db/database';
import type { MemberStatement, StatementLine } from '../../treasurer/reports/statement';
import type { LedgerKind } from '../../ledger/postings';
import { formatDay, type Messages } from '../i18n';
import { ConsolePage, ErrorSummary, Field, type PageProps } from '../layout';
import { ScrollTable } from './dashboard';
import { signedMoney } from './reports';

type Frame = Omit<PageProps, 'title' | 'children'>;

export interface StatementRangeValues {
  from: string;
  to: string;
}

/** What a line is, in the page's words: the ledger kind, or the standing a change led to. */
function lineKind(m: Messages, line: StatementLine): string {
  if (line.type === 'ledger') return m.kinds[line.kind as LedgerKind] ?? line.kind;
  const to = line.kind.replace(/^standing: /, '') as Standing;
  return m.reports.statement.standing(m.standings[to] ?? to);
}

/** A member's statement over chosen days: each line with the dues period it covered, the totals, and the CSV of the same days. */
export function StatementPage(props: { frame: Frame; member: { id: string; name: string }; currency: string; range: StatementRangeValues; error?: string | undefined; statement: MemberStatement }) {
  const { frame, statement, range } = props;
  const m = frame.session.m;
  const s = m.reports.statement;
  const money = (cents: number) => signedMoney(cents, props.currency);
  // A date input holds a date or nothing: what was typed otherwise is said in the error.
  const dateValue = (value: string) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? value : '');
  const csv = `/api/members/${props.member.id}/statement?from=${range.from}&to=${range.to}&format=csv`;
  return (
    <ConsolePage {...frame} title={s.title(props.member.name)}>
      <ErrorSummary m={m} errors={props.error ? [{ field: 'from', message: props.error }] : []} />
      {props.error ? null : <p>{s.intro(formatDay(m, range.from), formatDay(m, range.to))}</p>}
      <form method="get" action={`/console/members/${props.member.id}/statement`} class="panel" role="search" aria-label={s.rangeLabel}>
        <div class="filters">
          <Field id="from" label={s.from} type="date" value={dateValue(range.from)} error={props.error} required />
          <Field id="to" label={s.to} type="date" value={dateValue(range.to)} required />
        </div>
        <div class="actions">
          <button type="submit">{m.reports.show}</button>
        </div>
      </form>
      {props.error ? null : (
        <>
          <p>
            <a class="button secondary" href={csv} download>
              {m.reports.downloadCsv}
            </a>
          </p>
          {statement.lines.length === 0 ? (
            <p class="notice">{s.empty}</p>
          ) : (
            <ScrollTable id="statement" label={s.caption}>
              <table class="stack">
                <caption>{s.caption}</caption>
                <thead>
                  <tr>
                    <th scope="col">{s.dateColumn}</th>
                    <th scope="col">{s.whatColumn}</th>
                    <th scope="col">{s.descriptionColumn}</th>
                    <th scope="col">{s.periodColumn}</th>
                    <th scope="col" class="num">
                      {s.amountColumn}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {statement.lines.map((line) => (
                    <tr>
                      <th scope="row">{formatDay(m, line.day)}</th>
                      <td data-label={s.whatColumn}>{lineKind(m, line)}</td>
                      <td data-label={s.descriptionColumn}>{line.description}</td>
                      <td data-label={s.periodColumn}>{line.periodCovered ? s.period(formatDay(m, line.periodCovered.start), formatDay(m, line.periodCovered.end)) : m.none}</td>
                      <td class="num" data-label={s.amountColumn}>
                        {line.type === 'ledger' && line.amountCents !== 0 ? money(line.amountCents) : m.none}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollTable>
          )}
          <table class="stack">
            <caption>{s.totalsCaption}</caption>
            <tbody>
              {(['paidCents', 'refundedCents', 'disputedCents', 'reversedCents'] as const).map((key) => (
                <tr>
                  <th scope="row">{s.totals[key]}</th>
                  <td class="num" data-label={s.amountColumn}>
                    {money(statement.totals[key])}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <p>
        <a href={`/console/members/${props.member.id}`}>{s.memberLink}</a>
      </p>
    </ConsolePage>
  );
}
