import { isCalendarDate, requireCents, type LedgerEntryDraft, type LedgerTransactionDraft } from '../ledger/postings';

// The ledger's postings for an employer's payroll remittance (kinds payroll_remittance,
// payroll_remittance_reversal and payroll_suspense_clearing), under the same draft rules as every other posting.

export interface RemittancePostingInput {
  remittanceId: string;
  employerName: string;
  currency: string;
  /** 'YYYY-MM-DD' in the organization's time zone: the day the money was received. */
  receivedOn: string;
  periodStart: string;
  periodEnd: string;
  amountReceivedCents: number;
  /** What the matched lines bring, as dues income; the rest of the amount received is in suspense. */
  duesCents: number;
}

function remittanceEntries(input: RemittancePostingInput): LedgerEntryDraft[] {
  const entries: LedgerEntryDraft[] = [{ account: 'bank', amountCents: input.amountReceivedCents }];
  if (input.duesCents !== 0) entries.push({ account: 'dues_income', amountCents: -input.duesCents });
  const suspense = input.amountReceivedCents - input.duesCents;
  if (suspense !== 0) entries.push({ account: 'payroll_suspense', amountCents: -suspense });
  return entries;
}

function remittanceDraft(input: RemittancePostingInput): Omit<LedgerTransactionDraft, 'sourceKey' | 'kind' | 'description' | 'entries'> {
  return {
    // Noon UTC falls on the received day in every time zone from UTC-11 to UTC+11.
    occurredAt: new Date(`${input.receivedOn}T12:00:00Z`),
    currency: input.currency,
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
    paymentMethod: 'payroll_deduction',
    remittanceId: input.remittanceId,
  };
}

/**
 * An employer's payroll remittance: the deposit to the bank, dues income for the lines
 * matched to members (each member's share is the remittance's manual payments, its
 * sub-ledger), and whatever the lines do not account for in payroll suspense (either sign).
 */
export function postingsForRemittance(input: RemittancePostingInput): LedgerTransactionDraft[] {
  requireCents('amountReceivedCents', input.amountReceivedCents, 1);
  requireCents('duesCents', input.duesCents, 0);
  if (!isCalendarDate(input.receivedOn)) throw new RangeError(`receivedOn "${input.receivedOn}" must be a calendar date YYYY-MM-DD`);
  return [
    {
      ...remittanceDraft(input),
      sourceKey: `remittance:${input.remittanceId}`,
      kind: 'payroll_remittance',
      description: `Payroll remittance from ${input.employerName}, pay period ${input.periodStart} to ${input.periodEnd}`,
      entries: remittanceEntries(input),
    },
  ];
}

/** A posted remittance taken back (a corrected file replaces it): its entries reversed, dated the day of the correction. */
export function postingsForRemittanceReversal(input: RemittancePostingInput & { reversedOn: string }): LedgerTransactionDraft[] {
  const [original] = postingsForRemittance(input);
  return [
    {
      ...original!,
      occurredAt: new Date(`${input.reversedOn}T12:00:00Z`),
      sourceKey: `remittance:${input.remittanceId}:reversal`,
      kind: 'payroll_remittance_reversal',
      description: `Reversal of the payroll remittance from ${input.employerName}, pay period ${input.periodStart} to ${input.periodEnd} (a corrected file replaces it)`,
      entries: original!.entries.map((entry) => ({ account: entry.account, amountCents: -entry.amountCents })),
    },
  ];
}

export interface SuspenseClearingInput {
  remittanceId: string;
  employerName: string;
  currency: string;
  /** The remittance's received day: the clearing is dated with it, so its month's suspense nets to zero. */
  receivedOn: string;
  periodStart: string;
  periodEnd: string;
  /** The remittance's suspense: positive for money received beyond its lines, negative for lines the money did not cover. */
  heldCents: number;
  resolution: 'dues_income' | 'employer';
}

const CLEARED_TO = {
  dues_income: () => 'cleared to dues income',
  employer: (held: number) => (held > 0 ? 'a refund owed to the employer' : 'a shortfall the employer still owes'),
};

/**
 * A remittance's payroll suspense explained by a treasurer: taken out of suspense into dues
 * income, or into what is owed between the union and the employer (either sign).
 */
export function postingsForSuspenseClearing(input: SuspenseClearingInput): LedgerTransactionDraft[] {
  if (!Number.isSafeInteger(input.heldCents) || input.heldCents === 0) throw new RangeError(`heldCents must be a non-zero integer number of cents, got ${input.heldCents}`);
  if (!isCalendarDate(input.receivedOn)) throw new RangeError(`receivedOn "${input.receivedOn}" must be a calendar date YYYY-MM-DD`);
  const counter = input.resolution === 'dues_income' ? 'dues_income' : 'due_to_employers';
  return [
    {
      ...remittanceDraft({ ...input, amountReceivedCents: 0, duesCents: 0 }),
      sourceKey: `remittance:${input.remittanceId}:suspense`,
      kind: 'payroll_suspense_clearing',
      description: `Payroll suspense of the remittance from ${input.employerName}, pay period ${input.periodStart} to ${input.periodEnd}: ${CLEARED_TO[input.resolution](input.heldCents)}`,
      entries: [
        { account: 'payroll_suspense', amountCents: input.heldCents },
        { account: counter, amountCents: -input.heldCents },
      ],
    },
  ];
}

/** The clearing taken back with its remittance (a corrected file replaces it), dated the day of the correction. */
export function postingsForSuspenseClearingReversal(input: SuspenseClearingInput & { reversedOn: string }): LedgerTransactionDraft[] {
  const [original] = postingsForSuspenseClearing(input);
  return [
    {
      ...original!,
      occurredAt: new Date(`${input.reversedOn}T12:00:00Z`),
      sourceKey: `remittance:${input.remittanceId}:suspense:reversal`,
      description: `Reversal of the explained payroll suspense of the remittance from ${input.employerName}, pay period ${input.periodStart} to ${input.periodEnd} (a corrected file replaces it)`,
      entries: original!.entries.map((entry) => ({ account: entry.account, amountCents: -entry.amountCents })),
    },
  ];
}
