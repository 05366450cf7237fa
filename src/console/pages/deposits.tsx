import type { Batch, BatchSummary } from '../../bank/batches';
import { formatMoney } from '../../signup/i18n';
import { formatDay, formatInstant, type Messages } from '../i18n';
import { ConsolePage, Csrf, ErrorSummary, Field, SelectField, type PageProps } from '../layout';
import { ScrollTable } from './dashboard';

type Frame = Omit<PageProps, 'title' | 'children'>;

const stateOf = (m: Messages, batch: { postedAt: Date | null; bankLineId: string | null }) => (batch.postedAt === null ? m.bank.batchStates.open : batch.bankLineId ? m.bank.batchStates.matched : m.bank.batchStates.posted);

export type BatchFormErrors = Partial<Record<'depositedOn' | 'reference', string>>;

/** The deposit batches, latest first, and the form that starts one. */
export function DepositsPage(props: { frame: Frame; batches: BatchSummary[]; currency: string; today: string; values: { depositedOn: string; reference: string }; errors: BatchFormErrors }) {
  const { frame } = props;
  const { m, csrf } = frame.session;
  const b = m.bank;
  return (
    <ConsolePage {...frame} title={b.depositsTitle}>
      <ErrorSummary m={m} errors={Object.entries(props.errors).map(([field, message]) => ({ field, message: message! }))} />
      <p>{b.depositsIntro}</p>
      <form method="post" action="/console/deposits" class="panel">
        <h2>{b.newBatchTitle}</h2>
        <Csrf token={csrf} />
        <div class="filters">
          <Field id="depositedOn" label={b.depositedOn} type="date" value={props.values.depositedOn} error={props.errors.depositedOn} required />
          <Field id="reference" label={b.batchReference} value={props.values.reference} error={props.errors.reference} />
        </div>
        <div class="actions">
          <button type="submit">{b.createBatch}</button>
        </div>
      </form>
      {props.batches.length === 0 ? (
        <p class="notice">{b.batchesEmpty}</p>
      ) : (
        <ScrollTable id="batches" label={b.batchesTable}>
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">{b.batchColumns.day}</th>
                <th scope="col">{b.batchColumns.reference}</th>
                <th scope="col" class="num">
                  {b.batchColumns.items}
                </th>
                <th scope="col" class="num">
                  {b.batchColumns.total}
                </th>
                <th scope="col">{b.batchColumns.state}</th>
              </tr>
            </thead>
            <tbody>
              {props.batches.map((batch) => (
                <tr>
                  <td class="lead">
                    <a href={`/console/deposits/${batch.id}`}>{b.batchTitle(formatDay(m, batch.depositedOn))}</a>
                  </td>
                  <td data-label={b.batchColumns.reference}>{batch.reference ?? m.none}</td>
                  <td class="num" data-label={b.batchColumns.items}>
                    {batch.items}
                  </td>
                  <td class="num" data-label={b.batchColumns.total}>
                    {formatMoney(batch.totalCents, props.currency)}
                  </td>
                  <td data-label={b.batchColumns.state}>{stateOf(m, batch)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
    </ConsolePage>
  );
}

/** The payments of a slip as a table; with the remove buttons while the batch is open. */
function ItemsTable(props: { m: Messages; batch: Batch; currency: string; csrf?: string | undefined }) {
  const { m, batch } = props;
  const b = m.bank;
  const open = batch.postedAt === null && props.csrf !== undefined;
  return (
    <table class="stack">
      <caption>{b.itemsCaption}</caption>
      <thead>
        <tr>
          <th scope="col">{b.itemColumns.payer}</th>
          <th scope="col">{b.itemColumns.member}</th>
          <th scope="col">{b.itemColumns.method}</th>
          <th scope="col">{b.itemColumns.check}</th>
          <th scope="col">{b.itemColumns.periods}</th>
          <th scope="col" class="num">
            {b.itemColumns.amount}
          </th>
          {open ? <th scope="col">{b.itemColumns.action}</th> : null}
        </tr>
      </thead>
      <tbody>
        {batch.items.map((item) => (
          <tr>
            <td class="lead">
              <strong>{item.payer}</strong>
            </td>
            <td data-label={b.itemColumns.member}>{props.csrf !== undefined ? <a href={`/console/members/${item.memberId}`}>{item.memberName}</a> : item.memberName}</td>
            <td data-label={b.itemColumns.method}>{b.methods[item.method]}</td>
            <td data-label={b.itemColumns.check}>{item.checkNumber ?? m.none}</td>
            <td data-label={b.itemColumns.periods}>{b.periods(formatDay(m, item.periodStart), formatDay(m, item.periodEnd))}</td>
            <td class="num" data-label={b.itemColumns.amount}>
              {formatMoney(item.amountCents, props.currency)}
            </td>
            {open ? (
              <td data-label={b.itemColumns.action}>
                <form method="post" action={`/console/deposits/${batch.id}/items/${item.id}/remove`}>
                  <Csrf token={props.csrf!} />
                  <button type="submit" class="secondary" aria-label={b.removeLabel(item.payer)}>
                    {b.remove}
                  </button>
                </form>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={5}>
            {b.total}
          </th>
          <td class="num" data-label={b.total}>
            <strong>{formatMoney(batch.totalCents, props.currency)}</strong>
          </td>
          {open ? <td /> : null}
        </tr>
      </tfoot>
    </table>
  );
}

export type ItemField = 'member' | 'payer' | 'method' | 'amount' | 'checkNumber' | 'periodStart' | 'periodEnd' | 'partial';
export type ItemValues = Partial<Record<ItemField, string>>;

/** A batch: its payments, the form to add one while it is open, printing and posting. */
export function BatchPage(props: { frame: Frame; batch: Batch; currency: string; values: ItemValues; errors: Partial<Record<ItemField, string>>; problem?: string | undefined }) {
  const { frame, batch, values, errors } = props;
  const { m, csrf, organization } = frame.session;
  const b = m.bank;
  const summary = [...Object.entries(errors).map(([field, message]) => ({ field, message: message! })), ...(props.problem ? [{ field: 'amount', message: props.problem }] : [])];
  return (
    <ConsolePage {...frame} title={b.batchTitle(formatDay(m, batch.depositedOn))}>
      <ErrorSummary m={m} errors={summary} />
      <p>
        <a href="/console/deposits">{b.depositsTitle}</a> · <a href={`/console/deposits/${batch.id}/slip`}>{b.printSlip}</a>
      </p>
      {batch.reference ? (
        <p>
          {b.slipReference}: {batch.reference}
        </p>
      ) : null}
      {batch.items.length === 0 ? <p class="notice">{b.itemsEmpty}</p> : <ItemsTable m={m} batch={batch} currency={props.currency} csrf={csrf} />}
      {batch.postedAt !== null ? (
        <p class="notice">{b.postedOn(formatInstant(m, batch.postedAt, organization.timeZone))}</p>
      ) : (
        <>
          <form method="post" action={`/console/deposits/${batch.id}/items`} class="panel" novalidate>
            <h2>{b.addTitle}</h2>
            <Csrf token={csrf} />
            <div class="filters">
              <Field id="member" label={b.itemMember} hint={b.itemMemberHint} value={values.member} error={errors.member} required />
              <Field id="payer" label={b.itemPayer} hint={b.itemPayerHint} value={values.payer} error={errors.payer} />
              <SelectField
                id="method"
                label={b.itemMethod}
                value={values.method ?? 'check'}
                options={[
                  { value: 'check', label: b.methods.check },
                  { value: 'cash', label: b.methods.cash },
                ]}
                error={errors.method}
              />
              <Field id="amount" label={b.itemAmount} hint={b.itemAmountHint} value={values.amount} error={errors.amount} inputMode="numeric" required />
              <Field id="checkNumber" label={b.itemCheck} value={values.checkNumber} error={errors.checkNumber} />
              <Field id="periodStart" label={b.itemPeriodStart} type="date" value={values.periodStart} error={errors.periodStart} required />
              <Field id="periodEnd" label={b.itemPeriodEnd} type="date" value={values.periodEnd} error={errors.periodEnd} required />
            </div>
            <div class="check">
              <input type="checkbox" id="partial" name="partial" value="1" checked={values.partial === '1'} />
              <label for="partial">{b.itemPartial}</label>
            </div>
            <div class="actions">
              <button type="submit">{b.addItem}</button>
            </div>
          </form>
          {batch.items.length > 0 ? (
            <form method="post" action={`/console/deposits/${batch.id}/post`} class="panel">
              <h2>{b.postTitle}</h2>
              <Csrf token={csrf} />
              <p>{b.postIntro(batch.items.length, formatMoney(batch.totalCents, props.currency))}</p>
              <button type="submit">{b.postButton}</button>
            </form>
          ) : null}
        </>
      )}
    </ConsolePage>
  );
}

/** The slip to take to the bank: the organization, the day, each check and the total, for printing. */
export function SlipPage(props: { frame: Frame; batch: Batch; currency: string }) {
  const { frame, batch } = props;
  const { m, organization } = frame.session;
  const b = m.bank;
  return (
    <ConsolePage {...frame} title={b.slipTitle}>
      <p class="noprint">
        <a href={`/console/deposits/${batch.id}`}>{b.backToBatch}</a>
      </p>
      <dl class="facts">
        <dt>{organization.name}</dt>
        <dd>{b.slipTitle}</dd>
        <dt>{b.slipDeposited}</dt>
        <dd>{formatDay(m, batch.depositedOn)}</dd>
        <dt>{b.slipReference}</dt>
        <dd>{batch.reference ?? m.none}</dd>
      </dl>
      {batch.items.length === 0 ? <p class="notice">{b.itemsEmpty}</p> : <ItemsTable m={m} batch={batch} currency={props.currency} />}
      <p class="signature">{b.slipSignature}</p>
    </ConsolePage>
  );
}
