import type { AccountCode } from './accounts';
import {
  draftProblems,
  KIND_RULES,
  postingsForChargeSucceeded,
  postingsForDisputeFundsReinstated,
  postingsForDisputeFundsWithdrawn,
  postingsForManualPayment,
  postingsForPaymentReversal,
  postingsForPayoutFailed,
  postingsForPayoutPaid,
  postingsForRefund,
  type ChargeSucceededInput,
  type LedgerKind,
  type LedgerTransactionDraft,
} from './postings';

const at = new Date('2026-11-02T15:00:00Z');
const member = { memberId: 'member-1', planId: 'plan-1', periodStart: '2026-11-01', periodEnd: '2026-11-30' };
const cardPayment: ChargeSucceededInput = {
  chargeId: 'ch_card',
  invoiceId: 'in_card',
  currency: 'usd',
  grossCents: 2500,
  feeCents: 103, // 2.9% of $25 is 72.5¢, rounded half up to 73¢, plus 30¢
  initiationFeeCents: 0,
  occurredAt: at,
  paymentMethod: 'card',
  ...member,
  stripeEventId: 'evt_1',
};
const achPayment: ChargeSucceededInput = {
  ...cardPayment,
  chargeId: 'ch_ach',
  invoiceId: 'in_ach',
  grossCents: 3500,
  feeCents: 28, // 0.8% of $35
  initiationFeeCents: 1000,
  paymentMethod: 'us_bank_account',
};

type Expected = { sourceKey: string; kind: LedgerKind; entries: Array<[AccountCode, number]>; gross: number; fee: number; net: number };

const cases: Array<{ name: string; drafts: () => LedgerTransactionDraft[]; expected: Expected[] }> = [
  {
    name: '$25 card payment with a 103¢ fee (2.9% + 30¢)',
    drafts: () => postingsForChargeSucceeded(cardPayment),
    expected: [
      { sourceKey: 'charge:ch_card:payment', kind: 'dues_payment', entries: [['stripe_balance', 2500], ['dues_income', -2500]], gross: 2500, fee: 0, net: 2500 },
      { sourceKey: 'charge:ch_card:fee', kind: 'processing_fee', entries: [['processing_fees', 103], ['stripe_balance', -103]], gross: 0, fee: 103, net: -103 },
    ],
  },
  {
    name: '$25 dues + $10 initiation fee by ACH with a 28¢ fee (0.8%)',
    drafts: () => postingsForChargeSucceeded(achPayment),
    expected: [
      { sourceKey: 'charge:ch_ach:payment', kind: 'dues_payment', entries: [['stripe_balance', 2500], ['dues_income', -2500]], gross: 2500, fee: 0, net: 2500 },
      { sourceKey: 'charge:ch_ach:initiation', kind: 'initiation_fee', entries: [['stripe_balance', 1000], ['initiation_fees', -1000]], gross: 1000, fee: 0, net: 1000 },
      { sourceKey: 'charge:ch_ach:fee', kind: 'processing_fee', entries: [['processing_fees', 28], ['stripe_balance', -28]], gross: 0, fee: 28, net: -28 },
    ],
  },
  {
    name: 'a charge that is all initiation fee posts no dues',
    drafts: () => postingsForChargeSucceeded({ ...achPayment, grossCents: 1000, feeCents: 8 }),
    expected: [
      { sourceKey: 'charge:ch_ach:initiation', kind: 'initiation_fee', entries: [['stripe_balance', 1000], ['initiation_fees', -1000]], gross: 1000, fee: 0, net: 1000 },
      { sourceKey: 'charge:ch_ach:fee', kind: 'processing_fee', entries: [['processing_fees', 8], ['stripe_balance', -8]], gross: 0, fee: 8, net: -8 },
    ],
  },
  {
    name: 'partial refund of $10 of a $25 card payment',
    drafts: () => postingsForRefund({ refundId: 're_1', chargeId: 'ch_card', invoiceId: 'in_card', currency: 'usd', amountCents: 1000, occurredAt: at, ...member }),
    expected: [{ sourceKey: 'refund:re_1', kind: 'refund', entries: [['refunds', 1000], ['stripe_balance', -1000]], gross: -1000, fee: 0, net: -1000 }],
  },
  {
    name: 'full refund with part of the processing fee returned',
    drafts: () => postingsForRefund({ refundId: 're_2', chargeId: 'ch_card', currency: 'usd', amountCents: 2500, feeRefundedCents: 73, occurredAt: at, memberId: 'member-1' }),
    expected: [
      { sourceKey: 'refund:re_2', kind: 'refund', entries: [['refunds', 2500], ['stripe_balance', -2500]], gross: -2500, fee: 0, net: -2500 },
      { sourceKey: 'refund:re_2:fee', kind: 'processing_fee', entries: [['stripe_balance', 73], ['processing_fees', -73]], gross: 0, fee: -73, net: 73 },
    ],
  },
  {
    name: 'dispute lost: $25 withdrawn and a $15 dispute fee',
    drafts: () => postingsForDisputeFundsWithdrawn({ disputeId: 'dp_1', balanceTransactionId: 'txn_w1', chargeId: 'ch_card', currency: 'usd', amountCents: 2500, disputeFeeCents: 1500, occurredAt: at, memberId: 'member-1' }),
    expected: [
      { sourceKey: 'txn:txn_w1', kind: 'dispute', entries: [['dispute_losses', 2500], ['stripe_balance', -2500]], gross: -2500, fee: 0, net: -2500 },
      { sourceKey: 'txn:txn_w1:fee', kind: 'dispute_fee', entries: [['dispute_fees', 1500], ['stripe_balance', -1500]], gross: 0, fee: 1500, net: -1500 },
    ],
  },
  {
    name: 'dispute won: $25 reinstated, Stripe keeps the fee',
    drafts: () => postingsForDisputeFundsReinstated({ disputeId: 'dp_1', balanceTransactionId: 'txn_r1', chargeId: 'ch_card', currency: 'usd', amountCents: 2500, disputeFeeReturnedCents: 0, occurredAt: at, memberId: 'member-1' }),
    expected: [{ sourceKey: 'txn:txn_r1', kind: 'dispute_reversal', entries: [['stripe_balance', 2500], ['dispute_losses', -2500]], gross: 2500, fee: 0, net: 2500 }],
  },
  {
    name: 'dispute won with the $15 fee returned',
    drafts: () => postingsForDisputeFundsReinstated({ disputeId: 'dp_2', balanceTransactionId: 'txn_r2', chargeId: 'ch_card', currency: 'usd', amountCents: 2500, disputeFeeReturnedCents: 1500, occurredAt: at, memberId: 'member-1' }),
    expected: [
      { sourceKey: 'txn:txn_r2', kind: 'dispute_reversal', entries: [['stripe_balance', 2500], ['dispute_losses', -2500]], gross: 2500, fee: 0, net: 2500 },
      { sourceKey: 'txn:txn_r2:fee', kind: 'dispute_fee', entries: [['stripe_balance', 1500], ['dispute_fees', -1500]], gross: 0, fee: -1500, net: 1500 },
    ],
  },
  {
    name: 'payout of $100 to the bank',
    drafts: () => postingsForPayoutPaid({ payoutId: 'po_1', currency: 'usd', amountCents: 10000, arrivalDate: '2026-11-04', occurredAt: at }),
    expected: [{ sourceKey: 'payout:po_1', kind: 'payout', entries: [['bank', 10000], ['stripe_balance', -10000]], gross: -10000, fee: 0, net: -10000 }],
  },
  {
    name: 'payout failed: the payout and its return, netting to zero',
    drafts: () => postingsForPayoutFailed({ payoutId: 'po_1', currency: 'usd', amountCents: 10000, arrivalDate: '2026-11-04', occurredAt: at }),
    expected: [
      { sourceKey: 'payout:po_1', kind: 'payout', entries: [['bank', 10000], ['stripe_balance', -10000]], gross: -10000, fee: 0, net: -10000 },
      { sourceKey: 'payout:po_1:failed', kind: 'payout_failed', entries: [['stripe_balance', 10000], ['bank', -10000]], gross: 10000, fee: 0, net: 10000 },
    ],
  },
  {
    name: '$25 cash payment recorded by the treasurer',
    drafts: () =>
      postingsForManualPayment({ manualPaymentId: 'mp_1', method: 'cash', currency: 'usd', amountCents: 2500, receivedOn: '2026-11-03', memberId: 'member-1', planId: 'plan-1', periodStart: '2026-11-01', periodEnd: '2026-11-30' }),
    expected: [{ sourceKey: 'manual_payment:mp_1', kind: 'manual_payment', entries: [['cash_on_hand', 2500], ['dues_income', -2500]], gross: 2500, fee: 0, net: 2500 }],
  },
  {
    name: 'ACH payment reversed after it had succeeded, fee returned',
    drafts: () => postingsForPaymentReversal({ ...achPayment, occurredAt: at }),
    expected: [
      { sourceKey: 'charge:ch_ach:reversal', kind: 'payment_reversal', entries: [['dues_income', 2500], ['stripe_balance', -2500]], gross: -2500, fee: 0, net: -2500 },
      { sourceKey: 'charge:ch_ach:reversal:initiation', kind: 'payment_reversal', entries: [['initiation_fees', 1000], ['stripe_balance', -1000]], gross: -1000, fee: 0, net: -1000 },
      { sourceKey: 'charge:ch_ach:reversal:fee', kind: 'payment_reversal', entries: [['stripe_balance', 28], ['processing_fees', -28]], gross: 0, fee: -28, net: 28 },
    ],
  },
  {
    name: 'ACH payment reversed, Stripe keeps the fee',
    drafts: () => postingsForPaymentReversal({ ...achPayment, feeReturnedCents: 0 }),
    expected: [
      { sourceKey: 'charge:ch_ach:reversal', kind: 'payment_reversal', entries: [['dues_income', 2500], ['stripe_balance', -2500]], gross: -2500, fee: 0, net: -2500 },
      { sourceKey: 'charge:ch_ach:reversal:initiation', kind: 'payment_reversal', entries: [['initiation_fees', 1000], ['stripe_balance', -1000]], gross: -1000, fee: 0, net: -1000 },
    ],
  },
];

describe('posting rules', () => {
  test.each(cases)('$name', ({ drafts, expected }) => {
    const posted = drafts();
    expect(
      posted.map((d) => ({ sourceKey: d.sourceKey, kind: d.kind, entries: d.entries.map((e) => [e.account, e.amountCents]), gross: d.grossCents, fee: d.feeCents, net: d.netCents })),
    ).toEqual(expected);
    for (const draft of posted) {
      expect(draft.entries.length).toBeGreaterThanOrEqual(2);
      expect(draft.entries.reduce((sum, e) => sum + e.amountCents, 0)).toBe(0);
      expect(draftProblems(draft)).toEqual([]);
      for (const entry of draft.entries) expect(KIND_RULES[draft.kind].accounts).toContain(entry.account);
    }
  });

  test('a reversal with the fee returned leaves every account of the charge at zero', () => {
    const totals = new Map<AccountCode, number>();
    for (const draft of [...postingsForChargeSucceeded(achPayment), ...postingsForPaymentReversal(achPayment)]) {
      for (const entry of draft.entries) totals.set(entry.account, (totals.get(entry.account) ?? 0) + entry.amountCents);
    }
    expect([...totals.values()].every((total) => total === 0)).toBe(true);
  });

  test('postings carry the member, plan, period and Stripe ids a treasurer exports', () => {
    const [payment] = postingsForChargeSucceeded(cardPayment);
    expect(payment).toMatchObject({
      occurredAt: at,
      currency: 'usd',
      memberId: 'member-1',
      planId: 'plan-1',
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      paymentMethod: 'card',
      stripeInvoiceId: 'in_card',
      stripeChargeId: 'ch_card',
      stripeEventId: 'evt_1',
    });
    const [refund] = postingsForRefund({ refundId: 're_1', chargeId: 'ch_card', currency: 'usd', amountCents: 100, occurredAt: at, memberId: 'member-1' });
    expect(refund).toMatchObject({ stripeRefundId: 're_1', stripeChargeId: 'ch_card', memberId: 'member-1' });
    const [withdrawn] = postingsForDisputeFundsWithdrawn({ disputeId: 'dp_1', balanceTransactionId: 'txn_w9', chargeId: 'ch_card', currency: 'usd', amountCents: 100, disputeFeeCents: 0, occurredAt: at, memberId: null });
    expect(withdrawn).toMatchObject({ stripeDisputeId: 'dp_1', stripeChargeId: 'ch_card', stripeBalanceTransactionId: 'txn_w9' });
    const [payout] = postingsForPayoutPaid({ payoutId: 'po_1', currency: 'usd', amountCents: 100, arrivalDate: '2026-11-04', occurredAt: at, stripeEventId: 'evt_9' });
    expect(payout).toMatchObject({ stripePayoutId: 'po_1', payoutArrivalDate: '2026-11-04', stripeEventId: 'evt_9' });
    const [manual] = postingsForManualPayment({ manualPaymentId: 'mp_2', method: 'check', currency: 'usd', amountCents: 100, receivedOn: '2026-11-03', memberId: 'member-1', planId: null, periodStart: '2026-11-01', periodEnd: '2026-11-30', reference: '1042' });
    expect(manual).toMatchObject({ paymentMethod: 'check', description: 'Dues received by check (ref 1042)', occurredAt: new Date('2026-11-03T12:00:00Z') });
  });

  test.each([
    ['a zero gross', () => postingsForChargeSucceeded({ ...cardPayment, grossCents: 0 }), /grossCents/],
    ['fractional cents', () => postingsForChargeSucceeded({ ...cardPayment, grossCents: 25.5 }), /grossCents/],
    ['a negative fee', () => postingsForChargeSucceeded({ ...cardPayment, feeCents: -1 }), /feeCents/],
    ['an initiation fee above the gross', () => postingsForChargeSucceeded({ ...cardPayment, initiationFeeCents: 2501 }), /initiation fee/],
    ['a fee returned above the fee', () => postingsForPaymentReversal({ ...cardPayment, feeReturnedCents: 104 }), /fee returned/],
    ['a zero refund', () => postingsForRefund({ refundId: 're_0', chargeId: 'ch', currency: 'usd', amountCents: 0, occurredAt: at, memberId: null }), /amountCents/],
    ['a payout of nothing', () => postingsForPayoutPaid({ payoutId: 'po', currency: 'usd', amountCents: 0, arrivalDate: '2026-11-04', occurredAt: at }), /amountCents/],
    [
      'a manual payment on no real day',
      () => postingsForManualPayment({ manualPaymentId: 'mp', method: 'cash', currency: 'usd', amountCents: 1, receivedOn: '2026-02-30', memberId: 'm', planId: null, periodStart: '2026-02-01', periodEnd: '2026-02-28' }),
      /receivedOn/,
    ],
  ])('refuses %s', (_name, post, message) => {
    expect(post).toThrow(message);
  });
});

describe('draft validation', () => {
  const valid = postingsForChargeSucceeded(cardPayment)[0]!;
  test.each<[string, Partial<LedgerTransactionDraft>, RegExp]>([
    ['a single entry', { entries: [{ account: 'stripe_balance', amountCents: 2500 }] }, /at least 2 entries/],
    ['no entries', { entries: [] }, /at least 2 entries, got 0/],
    ['entries that do not balance', { entries: [{ account: 'stripe_balance', amountCents: 2500 }, { account: 'dues_income', amountCents: -2400 }] }, /sum to 100/],
    ['fractional cents', { entries: [{ account: 'stripe_balance', amountCents: 2500.5 }, { account: 'dues_income', amountCents: -2500.5 }] }, /integer number of cents/],
    ['a zero entry', { entries: [{ account: 'stripe_balance', amountCents: 0 }, { account: 'dues_income', amountCents: 0 }, { account: 'dues_income', amountCents: 0 }] }, /non-zero/],
    ['an account the kind never uses', { entries: [{ account: 'stripe_balance', amountCents: 2500 }, { account: 'refunds', amountCents: -2500 }] }, /may not post to refunds/],
    ['money received into the bank instead of the Stripe balance', { entries: [{ account: 'bank', amountCents: 2500 }, { account: 'dues_income', amountCents: -2500 }] }, /may not post to bank/],
    ['a Stripe net the entries do not match', { grossCents: 2400, feeCents: 0, netCents: 2400 }, /stripe_balance moves by 2500 but Stripe's net is 2400/],
    ['a Stripe posting without Stripe figures', { grossCents: null, feeCents: null, netCents: null }, /needs Stripe's gross, fee and net/],
    ['part of the Stripe figures', { netCents: null }, /give all three or none/],
    ['net that is not gross - fee', { feeCents: 5 }, /net 2500 is not gross 2500 - fee 5/],
    [
      'a payment that takes from the Stripe balance',
      { entries: [{ account: 'dues_income', amountCents: 2500 }, { account: 'stripe_balance', amountCents: -2500 }], grossCents: -2500, netCents: -2500 },
      /must add to the Stripe balance/,
    ],
    ['an upper-case currency', { currency: 'USD' }, /three lowercase letters/],
    ['an empty source key', { sourceKey: '' }, /source key/],
    ['a period that ends before it starts', { periodStart: '2026-11-30', periodEnd: '2026-11-01' }, /before periodStart/],
    ['a date that is not a day', { periodEnd: '2026-11-31' }, /calendar date/],
    ['an invalid time', { occurredAt: new Date('not a time') }, /valid Date/],
  ])('names %s', (_name, change, message) => {
    const problems = draftProblems({ ...valid, ...change });
    expect(problems.join('\n')).toMatch(message);
  });

  test('a manual payment must not touch the Stripe balance', () => {
    const [manual] = postingsForManualPayment({ manualPaymentId: 'mp', method: 'cash', currency: 'usd', amountCents: 500, receivedOn: '2026-11-03', memberId: 'm', planId: null, periodStart: '2026-11-01', periodEnd: '2026-11-30' });
    expect(draftProblems({ ...manual!, entries: [{ account: 'stripe_balance', amountCents: 500 }, { account: 'dues_income', amountCents: -500 }] })).toEqual([
      'a manual_payment transaction may not post to stripe_balance',
    ]);
  });
});
