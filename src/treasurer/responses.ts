import { z } from 'zod';
import { day, id, instant } from '../http/response-schemas';
import { LEDGER_KINDS, type LedgerKind } from '../ledger/postings';
import { standing } from '../members/members';

const affiliateKind = z.enum(['international_union', 'state_federation', 'central_labor_council', 'other']);
const cents = z.number().int();
const currency = z.string().length(3);
const ledgerKind = z.enum(LEDGER_KINDS as [LedgerKind, ...LedgerKind[]]);
const month = z.string().regex(/^\d{4}-\d{2}$/);

export const perCapitaRateResponse = z.object({ id, rateCents: cents, effectiveFrom: day }).strict();

/** An affiliate the organization remits per-capita tax to, with its rates by effective day. */
export const affiliateResponse = z.object({ id, name: z.string(), kind: affiliateKind, createdAt: instant, rates: z.array(perCapitaRateResponse) }).strict();
export const affiliateListResponse = z.object({ affiliates: z.array(affiliateResponse) }).strict();
export const rateCreatedResponse = perCapitaRateResponse.extend({ affiliateId: id });

/** The money lines every report shares (reports/totals.ts), in minor units. */
const moneyFigures = {
  duesReceivedCents: cents,
  initiationFeesCents: cents,
  paymentReversalsCents: cents,
  processingFeesCents: cents,
  refundsCents: cents,
  disputesCents: cents,
  disputeFeesCents: cents,
  netCents: cents,
};

export const monthlySummaryResponse = z
  .object({
    month,
    currency,
    ...moneyFigures,
    members: z.object({ paying: z.number().int(), joined: z.number().int(), lapsed: z.number().int(), recovered: z.number().int() }).strict(),
  })
  .strict();

export const annualReceiptsResponse = z
  .object({
    fiscalYear: z.number().int(),
    fiscalYearStartMonth: z.number().int().min(1).max(12),
    from: day,
    to: day,
    currency,
    ...moneyFigures,
    duesAndAgencyFeesCents: cents,
    perCapitaTaxCents: cents,
    totalReceiptsCents: cents,
    form: z.enum(['LM-2', 'LM-3', 'LM-4']),
  })
  .strict();

export const perCapitaResponse = z
  .object({
    month,
    currency,
    membersInGoodStanding: z.number().int(),
    affiliates: z.array(
      z
        .object({ affiliateId: id, affiliate: z.string(), kind: affiliateKind, rateCents: cents, effectiveFrom: day, members: z.number().int(), owedCents: cents, paidCents: cents, outstandingCents: cents.meta({ description: 'owed less paid; negative when more was paid' }) })
        .strict(),
    ),
    totalCents: cents,
    paidCents: cents,
    outstandingCents: cents,
  })
  .strict();

/** A per-capita payment to an affiliate; `recorded` is false when the same payment (affiliate, month, reference) was recorded before. */
export const perCapitaPaymentResponse = z
  .object({ id, affiliateId: id, affiliate: z.string(), month, amountCents: cents, currency, paidOn: day, reference: z.string(), recordedAt: instant, reversedAt: instant.nullable(), recorded: z.boolean() })
  .strict();

/** A per-capita payment taken back; `reversed` is false when it was reversed before. */
export const perCapitaReversalResponse = perCapitaPaymentResponse.omit({ recorded: true }).extend({ reversed: z.boolean() }).strict();

const payoutTransaction = z
  .object({
    id,
    kind: ledgerKind,
    day,
    description: z.string(),
    memberId: id.nullable(),
    netCents: cents,
    stripeChargeId: z.string().nullable(),
    stripeRefundId: z.string().nullable(),
    stripeDisputeId: z.string().nullable(),
    stripeBalanceTransactionId: z.string().nullable(),
  })
  .strict();

export const payoutReconciliationResponse = z
  .object({
    from: day,
    to: day,
    payouts: z.array(
      z
        .object({
          payoutId: z.string(),
          currency,
          status: z.string(),
          arrivalDate: day.nullable(),
          amountCents: cents,
          postedCents: cents.nullable(),
          transactionsCents: cents,
          transactions: z.array(payoutTransaction),
          matched: z.boolean(),
          mismatches: z.array(z.string()),
        })
        .strict(),
    ),
    mismatches: z.array(z.object({ payoutId: z.string(), message: z.string() }).strict()),
  })
  .strict();

export const memberStatementResponse = z
  .object({
    member: z.object({ id, name: z.string(), standing, paidThrough: day.nullable() }).strict(),
    currency,
    lines: z.array(
      z
        .object({ day, type: z.enum(['ledger', 'standing']), kind: z.string(), description: z.string(), amountCents: cents, periodCovered: z.object({ start: day, end: day }).strict().nullable().meta({ description: 'the dues period a payment covered' }), transactionId: id.nullable() })
        .strict(),
    ),
    totals: z.object({ paidCents: cents, refundedCents: cents, disputedCents: cents, reversedCents: cents }).strict(),
  })
  .strict();
