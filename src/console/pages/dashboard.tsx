import type { ComponentChildren } from 'preact';
import type { Standing } from '../../../db/database';
import { formatMoney } from '../../signup/i18n';
import { METHOD_GROUPS, type DashboardFigures, type MethodGroup } from '../../treasurer/dashboard';
import { BarChart, LineChart, StackedAreaChart, StackedBarChart } from '../charts';
import { formatCount, formatMonth, formatRate, formatShortMonth } from '../i18n';
import { ConsolePage, type PageProps } from '../layout';

type Frame = Omit<PageProps, 'title' | 'children'>;

// Colours with at least 3:1 contrast on white (WCAG 1.4.11); the tables carry every figure.
const METHOD_COLORS: Record<MethodGroup, string> = { card: '#0b5394', bank_debit: '#14532d', cash_check: '#9a5b00', employer: '#6a329f' };
const STANDING_COLORS: Record<Standing, string> = {
  pending: '#6b6b66',
  active: '#2e7d32',
  past_due: '#b35c00',
  lapsed: '#a4161a',
  exempt: '#00695c',
  resigned: '#4a4a8a',
  suspended: '#5c1a1a',
  dropped: '#3d3d3a',
};
const LAPSED_COLOR = '#a4161a';
const RECOVERED_COLOR = '#14532d';

/** A table too wide for a phone scrolls sideways in a region keyboard users can reach and screen readers can name. */
export function ScrollTable(props: { id: string; label: string; children: ComponentChildren }) {
  return (
    <div class="scroll" role="region" tabIndex={0} aria-label={props.label} id={`${props.id}-region`}>
      {props.children}
    </div>
  );
}

export function DashboardPage(props: { frame: Frame; figures: DashboardFigures; currency: string }) {
  const { frame, figures } = props;
  const m = frame.session.m;
  const money = (cents: number) => formatMoney(cents, props.currency);
  const shortMonths = figures.months.map((month) => formatShortMonth(m, month));
  const best = figures.dues.reduce((top, month) => (month.totalCents > (top?.totalCents ?? 0) ? month : top), undefined as (typeof figures.dues)[number] | undefined);
  const saving = figures.bankDebitSaving;
  const now = figures.standing[figures.standing.length - 1]!;
  const lapsedAll = figures.lapses.reduce((sum, row) => sum + row.lapsed, 0);
  const recoveredAll = figures.lapses.reduce((sum, row) => sum + row.recovered, 0);
  return (
    <ConsolePage {...frame} title={m.dashboardTitle}>
      <p>{m.dashboardIntro(formatMonth(m, figures.months[0]!), formatMonth(m, figures.months[figures.months.length - 1]!))}</p>
      <div class="charts">
        <section aria-labelledby="dues-heading" class="chart-block">
          <h2 id="dues-heading">{m.duesTitle}</h2>
          <StackedBarChart
            id="dues-chart"
            title={m.duesTitle}
            desc={m.duesDesc(money(figures.duesTotalCents), best ? formatMonth(m, best.month) : null)}
            legend={m.legend}
            categories={shortMonths}
            series={METHOD_GROUPS.map((group) => ({ key: group, label: m.methods[group], color: METHOD_COLORS[group], values: figures.dues.map((month) => month.byGroup[group]) }))}
            format={money}
          />
          <ScrollTable id="dues" label={m.tableRegion(m.duesCaption)}>
            <table>
              <caption>{m.duesCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{m.monthColumn}</th>
                  {METHOD_GROUPS.map((group) => (
                    <th scope="col" class="num">
                      {m.methods[group]}
                    </th>
                  ))}
                  <th scope="col" class="num">
                    {m.totalDuesColumn}
                  </th>
                </tr>
              </thead>
              <tbody>
                {figures.dues.map((month) => (
                  <tr>
                    <th scope="row">{formatMonth(m, month.month)}</th>
                    {METHOD_GROUPS.map((group) => (
                      <td class="num">{money(month.byGroup[group])}</td>
                    ))}
                    <td class="num">{money(month.totalCents)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        </section>

        <section aria-labelledby="fees-heading" class="chart-block">
          <h2 id="fees-heading">{m.feesTitle}</h2>
          <p class="notice">{saving ? m.bankSaves(formatRate(m, saving.cardShareBasisPoints), formatRate(m, saving.bankShareBasisPoints), money(saving.savingCents)) : m.bankSavesUnknown}</p>
          <BarChart
            id="fees-chart"
            title={m.feesTitle}
            desc={m.feesDesc}
            categories={METHOD_GROUPS.map((group) => m.methods[group])}
            values={figures.fees.map((fee) => fee.shareBasisPoints)}
            colors={METHOD_GROUPS.map((group) => METHOD_COLORS[group])}
            format={(bp) => formatRate(m, bp)}
            empty={m.noDues}
          />
          <ScrollTable id="fees" label={m.tableRegion(m.feesCaption)}>
            <table>
              <caption>{m.feesCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{m.methodColumn}</th>
                  <th scope="col" class="num">
                    {m.duesColumn}
                  </th>
                  <th scope="col" class="num">
                    {m.feesColumn}
                  </th>
                  <th scope="col" class="num">
                    {m.shareColumn}
                  </th>
                </tr>
              </thead>
              <tbody>
                {figures.fees.map((fee) => (
                  <tr>
                    <th scope="row">{m.methods[fee.group]}</th>
                    <td class="num">{money(fee.duesCents)}</td>
                    <td class="num">{money(fee.feeCents)}</td>
                    <td class="num">{fee.shareBasisPoints === null ? m.noDues : formatRate(m, fee.shareBasisPoints)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        </section>

        <section aria-labelledby="standing-heading" class="chart-block">
          <h2 id="standing-heading">{m.standingTitle}</h2>
          <StackedAreaChart
            id="standing-chart"
            title={m.standingTitle}
            desc={m.standingDesc(formatCount(m, now.total))}
            legend={m.legend}
            categories={shortMonths}
            series={figures.standingsShown.map((standing) => ({ key: standing, label: m.standings[standing], color: STANDING_COLORS[standing], values: figures.standing.map((month) => month.counts[standing]) }))}
            format={(n) => formatCount(m, n)}
          />
          <ScrollTable id="standing" label={m.tableRegion(m.standingCaption)}>
            <table>
              <caption>{m.standingCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{m.monthColumn}</th>
                  {figures.standingsShown.map((standing) => (
                    <th scope="col" class="num">
                      {m.standings[standing]}
                    </th>
                  ))}
                  <th scope="col" class="num">
                    {m.totalColumn}
                  </th>
                </tr>
              </thead>
              <tbody>
                {figures.standing.map((month) => (
                  <tr>
                    <th scope="row">{formatMonth(m, month.month)}</th>
                    {figures.standingsShown.map((standing) => (
                      <td class="num">{formatCount(m, month.counts[standing])}</td>
                    ))}
                    <td class="num">{formatCount(m, month.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        </section>

        <section aria-labelledby="lapses-heading" class="chart-block">
          <h2 id="lapses-heading">{m.lapsesTitle}</h2>
          <LineChart
            id="lapses-chart"
            title={m.lapsesTitle}
            desc={m.lapsesDesc(lapsedAll, recoveredAll)}
            legend={m.legend}
            categories={shortMonths}
            series={[
              { key: 'lapsed', label: m.lapsedColumn, color: LAPSED_COLOR, values: figures.lapses.map((row) => row.lapsed) },
              { key: 'recovered', label: m.recoveredColumn, color: RECOVERED_COLOR, values: figures.lapses.map((row) => row.recovered), dash: '6 3' },
            ]}
            format={(n) => formatCount(m, n)}
          />
          <ScrollTable id="lapses" label={m.tableRegion(m.lapsesCaption)}>
            <table>
              <caption>{m.lapsesCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{m.monthColumn}</th>
                  <th scope="col" class="num">
                    {m.lapsedColumn}
                  </th>
                  <th scope="col" class="num">
                    {m.recoveredColumn}
                  </th>
                </tr>
              </thead>
              <tbody>
                {figures.lapses.map((row) => (
                  <tr>
                    <th scope="row">{formatMonth(m, row.month)}</th>
                    <td class="num">{formatCount(m, row.lapsed)}</td>
                    <td class="num">{formatCount(m, row.recovered)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        </section>
      </div>
    </ConsolePage>
  );
}
