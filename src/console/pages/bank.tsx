import type { Deposit, DepositKind } from '../../bank/matcher';
import { matchOf, type LineWithCandidates, type MatchedLine, type RemittanceName } from '../../bank/queries';
import { DATE_FORMATS, type StatementMapping } from '../../bank/statement';
import { formatMoney } from '../../signup/i18n';
import { formatDay, type Messages } from '../i18n';
import { ConsolePage, Csrf, ErrorSummary, type PageProps } from '../layout';
import { ScrollTable } from './dashboard';

type Frame = Omit<PageProps, 'title' | 'children'>;

/** What the page says of batches and remittances beyond their id: a batch's reference, a remittance's employer and pay period. */
export interface DepositNames {
  batchReferences: ReadonlyMap<string, string | null>;
  remittances: ReadonlyMap<string, RemittanceName>;
}

function depositText(m: Messages, deposit: Deposit, names: DepositNames): string {
  const day = formatDay(m, deposit.day);
  if (deposit.kind === 'payout') return m.bank.candidatePayout(deposit.id, day);
  if (deposit.kind === 'batch') return m.bank.candidateBatch(day, names.batchReferences.get(deposit.id) ?? null);
  const remittance = names.remittances.get(deposit.id);
  return remittance ? m.bank.candidateRemittance(remittance.employer, formatDay(m, remittance.period_start), formatDay(m, remittance.period_end), day) : m.bank.depositKinds.remittance;
}

const DEPOSIT_PAGE = { batch: '/console/deposits/', remittance: '/console/remittances/' } as const;

/** A deposit named, linked to its own page (a payout has none: its id is what Stripe shows). */
function DepositName(props: { m: Messages; kind: DepositKind; id: string; text: string }) {
  if (props.kind === 'payout') {
    return (
      <>
        {props.m.bank.depositKinds.payout} <code>{props.id}</code>
      </>
    );
  }
  return <a href={`${DEPOSIT_PAGE[props.kind]}${props.id}`}>{props.text}</a>;
}

/** The statement import form: a file, and whether to name its columns again. */
function ImportForm(props: { m: Messages; csrf: string; mapping: StatementMapping | undefined; error: string | undefined }) {
  const b = props.m.bank;
  const mapping = props.mapping;
  return (
    <section aria-labelledby="import-title" class="panel">
      <h2 id="import-title">{b.importTitle}</h2>
      <ErrorSummary m={props.m} errors={props.error === undefined ? [] : [{ field: 'statement', message: props.error }]} />
      {mapping ? <p class="hint">{b.mappingKept(mapping.dateColumn, b.mappingAmount(mapping.amountColumn, mapping.debitColumn, mapping.creditColumn), mapping.descriptionColumn)}</p> : null}
      <form method="post" action="/console/payouts/bank/import" enctype="multipart/form-data">
        <Csrf token={props.csrf} />
        <label for="statement">{b.importFile}</label>
        <p class="hint" id="statement-hint">
          {b.importHint}
        </p>
        <input type="file" id="statement" name="statement" accept=".csv,text/csv,.ofx,.qfx,application/x-ofx" required aria-describedby="statement-hint" aria-invalid={props.error === undefined ? undefined : 'true'} />
        {mapping ? (
          <div class="check">
            <input type="checkbox" id="remap" name="remap" value="1" />
            <label for="remap">{b.importRemap}</label>
          </div>
        ) : null}
        <div class="actions">
          <button type="submit">{b.importButton}</button>
        </div>
      </form>
    </section>
  );
}

/** The bank's side: the import, the deposits matched to nothing (with their candidates), the books' deposits no line shows, and the matches. */
export function BankPage(props: {
  frame: Frame;
  mapping: StatementMapping | undefined;
  lines: LineWithCandidates[];
  linesTotal: number;
  deposits: Deposit[];
  matched: MatchedLine[];
  names: DepositNames;
  currency: string;
  /** Why the file just uploaded was refused (nothing was imported). */
  importError?: string | undefined;
}) {
  const { frame, currency } = props;
  const { m, csrf } = frame.session;
  const b = m.bank;
  const money = (cents: number) => formatMoney(cents, currency);
  return (
    <ConsolePage {...frame} title={b.bankTitle}>
      <p>{b.bankIntro}</p>
      <p>
        <a href="/console/payouts">{b.backToPayouts}</a>
      </p>
      <ImportForm m={m} csrf={csrf} mapping={props.mapping} error={props.importError} />

      <section aria-labelledby="open-lines-title">
        <h2 id="open-lines-title">{b.unmatchedLinesTitle(props.linesTotal)}</h2>
        {props.lines.length === 0 ? (
          <p class="notice">{b.unmatchedLinesEmpty}</p>
        ) : (
          <>
            {props.linesTotal > props.lines.length ? <p class="hint">{b.unmatchedLinesMore(props.lines.length, props.linesTotal)}</p> : null}
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">{b.lineColumns.day}</th>
                  <th scope="col">{b.lineColumns.description}</th>
                  <th scope="col" class="num">
                    {b.lineColumns.amount}
                  </th>
                  <th scope="col">{b.lineColumns.match}</th>
                </tr>
              </thead>
              <tbody>
                {props.lines.map((line) => (
                  <tr>
                    <td class="lead">
                      <strong>{formatDay(m, line.booked_on)}</strong>
                    </td>
                    <td data-label={b.lineColumns.description}>{line.description || m.none}</td>
                    <td class="num" data-label={b.lineColumns.amount}>
                      {money(line.amount_cents)}
                    </td>
                    <td data-label={b.lineColumns.match}>
                      {line.candidates.length === 0 ? (
                        b.noCandidate
                      ) : (
                        <form method="post" action={`/console/payouts/bank/lines/${line.id}/match`} class="inline">
                          <Csrf token={csrf} />
                          <select name="deposit" aria-label={b.matchLabel(formatDay(m, line.booked_on), money(line.amount_cents))}>
                            {line.candidates.map((deposit) => (
                              <option value={`${deposit.kind}:${deposit.id}`}>{depositText(m, deposit, props.names)}</option>
                            ))}
                          </select>
                          <button type="submit" class="secondary">
                            {b.matchButton}
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>

      <section aria-labelledby="open-deposits-title">
        <h2 id="open-deposits-title">{b.unmatchedDepositsTitle(props.deposits.length)}</h2>
        {props.deposits.length === 0 ? (
          <p class="notice">{b.unmatchedDepositsEmpty}</p>
        ) : (
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">{b.depositColumns.day}</th>
                <th scope="col">{b.depositColumns.kind}</th>
                <th scope="col" class="num">
                  {b.depositColumns.amount}
                </th>
              </tr>
            </thead>
            <tbody>
              {props.deposits.map((deposit) => (
                <tr>
                  <td class="lead">
                    <strong>{formatDay(m, deposit.day)}</strong>
                  </td>
                  <td data-label={b.depositColumns.kind}>
                    <DepositName m={m} kind={deposit.kind} id={deposit.id} text={depositText(m, deposit, props.names)} />
                  </td>
                  <td class="num" data-label={b.depositColumns.amount}>
                    {money(deposit.amountCents)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="matched-title">
        <h2 id="matched-title">{b.matchedTitle}</h2>
        {props.matched.length === 0 ? (
          <p class="notice">{b.matchedEmpty}</p>
        ) : (
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">{b.matchedColumns.day}</th>
                <th scope="col">{b.matchedColumns.description}</th>
                <th scope="col" class="num">
                  {b.matchedColumns.amount}
                </th>
                <th scope="col">{b.matchedColumns.to}</th>
                <th scope="col">{b.matchedColumns.how}</th>
                <th scope="col">{b.matchedColumns.action}</th>
              </tr>
            </thead>
            <tbody>
              {props.matched.map((line) => {
                const to = matchOf(line)!;
                const remittance = to.kind === 'remittance' ? props.names.remittances.get(to.id) : undefined;
                return (
                <tr>
                  <td class="lead">
                    <strong>{formatDay(m, line.booked_on)}</strong>
                  </td>
                  <td data-label={b.matchedColumns.description}>{line.description || m.none}</td>
                  <td class="num" data-label={b.matchedColumns.amount}>
                    {money(line.amount_cents)}
                  </td>
                  <td data-label={b.matchedColumns.to}>
                    <DepositName m={m} kind={to.kind} id={to.id} text={remittance ? `${b.depositKinds.remittance}, ${remittance.employer}` : b.depositKinds[to.kind]} />
                  </td>
                  <td data-label={b.matchedColumns.how}>{line.by_hand ? b.matchedHow.hand : b.matchedHow.auto}</td>
                  <td data-label={b.matchedColumns.action}>
                    <form method="post" action={`/console/payouts/bank/lines/${line.id}/unmatch`}>
                      <Csrf token={csrf} />
                      <button type="submit" class="secondary" aria-label={b.undoLabel(formatDay(m, line.booked_on), money(line.amount_cents))}>
                        {b.undo}
                      </button>
                    </form>
                  </td>
                </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </ConsolePage>
  );
}

export type MappingErrors = Partial<Record<'statement' | 'dateColumn' | 'amountColumn' | 'descriptionColumn', string>>;

function ColumnSelect(props: { id: string; label: string; headers: string[]; value: string | null; none?: string; error?: string | undefined }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.error ? (
        <p class="error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
      <select id={props.id} name={props.id} aria-describedby={props.error ? `${props.id}-error` : undefined} aria-invalid={props.error ? 'true' : undefined}>
        {props.none !== undefined ? (
          <option value="" selected={props.value === null}>
            {props.none}
          </option>
        ) : null}
        {props.headers.map((header) => (
          <option value={header} selected={header === props.value}>
            {header}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The first import (or a remapping): which column is which, with the file carried along so it is not chosen twice. */
export function MappingPage(props: { frame: Frame; fileName: string; statement: string; headers: string[]; sample: string[][]; mapping: StatementMapping; errors: MappingErrors; problems: string[] }) {
  const { frame, mapping, errors } = props;
  const { m, csrf } = frame.session;
  const b = m.bank;
  const summary = [
    ...Object.entries(errors).map(([field, message]) => ({ field, message: message! })),
    ...props.problems.map((message) => ({ field: 'dateColumn', message })),
  ];
  return (
    <ConsolePage {...frame} title={b.mappingTitle}>
      <ErrorSummary m={m} errors={summary} />
      <p>{b.mappingIntro}</p>
      <section aria-labelledby="sample-title">
        <h2 id="sample-title">{b.mapSample}</h2>
        <ScrollTable id="sample" label={b.mapSample}>
          <table>
            <thead>
              <tr>
                {props.headers.map((header) => (
                  <th scope="col">{header}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.sample.map((row) => (
                <tr>
                  {props.headers.map((_header, i) => (
                    <td>{row[i] ?? ''}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      </section>
      <form method="post" action="/console/payouts/bank/import" enctype="multipart/form-data" class="panel">
        <Csrf token={csrf} />
        <input type="hidden" name="mapping" value="1" />
        <input type="hidden" name="delimiter" value={mapping.delimiter === '\t' ? 'tab' : mapping.delimiter} />
        <input type="hidden" name="fileName" value={props.fileName} />
        <textarea name="statement" hidden aria-hidden="true" value={props.statement} />
        <ColumnSelect id="dateColumn" label={b.mapDate} headers={props.headers} value={mapping.dateColumn} error={errors.dateColumn} />
        <div class="field">
          <label for="dateFormat">{b.mapDateFormat}</label>
          <select id="dateFormat" name="dateFormat">
            {DATE_FORMATS.map((format) => (
              <option value={format} selected={format === mapping.dateFormat}>
                {b.dateFormats[format]}
              </option>
            ))}
          </select>
        </div>
        <ColumnSelect id="amountColumn" label={b.mapAmount} headers={props.headers} value={mapping.amountColumn} none={b.mapAmountSplit} error={errors.amountColumn} />
        <ColumnSelect id="creditColumn" label={b.mapCredit} headers={props.headers} value={mapping.creditColumn} none={b.mapNone} />
        <ColumnSelect id="debitColumn" label={b.mapDebit} headers={props.headers} value={mapping.debitColumn} none={b.mapNone} />
        <ColumnSelect id="descriptionColumn" label={b.mapDescription} headers={props.headers} value={mapping.descriptionColumn} error={errors.descriptionColumn} />
        <div class="field">
          <label for="decimal">{b.mapDecimal}</label>
          <select id="decimal" name="decimal">
            <option value="point" selected={!mapping.decimalComma}>
              {b.decimalPoint}
            </option>
            <option value="comma" selected={mapping.decimalComma}>
              {b.decimalComma}
            </option>
          </select>
        </div>
        <div class="actions">
          <button type="submit">{b.mapSave}</button>
        </div>
      </form>
    </ConsolePage>
  );
}
