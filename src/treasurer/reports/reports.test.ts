import { decimalAmount, neutralise } from '../format';
import { exportCells } from '../export';
import type { LedgerExportRow } from '../queries';
import { fiscalYearRange, formFor } from './annual';
import { reconcilePayout, type PayoutBalanceLine, type PayoutLedgerLine } from './payouts';
import { perCapitaRemittance, type AffiliateRate } from './per-capita';
import { memberStatement } from './statement';
import { reportCsv } from '../tables';
import { moneyFigures, monthRange } from './totals';

describe('neutralise: text a spreadsheet would run as a formula gets a leading apostrophe', () => {
  test.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+1 555 0100', "'+1 555 0100"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tTabbed', "'\tTabbed"],
    ['\rReturn', "'\rReturn"],
    ['Ana María', 'Ana María'],
    ['O=Brien', 'O=Brien'],
    ['', ''],
  ])('%j → %j', (input, expected) => expect(neutralise(input)).toBe(expected));
  test('null is an empty cell', () => expect(neutralise(null)).toBe(''));
});

describe('decimalAmount: integer minor units to a decimal string, by integer arithmetic', () => {
  test.each([
    [2500, 'usd', '25.00'],
    [5, 'usd', '0.05'],
    [-1500, 'usd', '-15.00'],
    [-7, 'usd', '-0.07'],
    [0, 'usd', '0.00'],
    [123456789012, 'usd', '1234567890.12'],
    [500, 'jpy', '500'],
    [1234, 'kwd', '1.234'],
  ])('%d %s → %s', (cents, currency, expected) => expect(decimalAmount(cents, currency)).toBe(expected));
});

describe('fiscal years, named by the year they end in', () => {
  test.each([
    [2026, 1, '2026-01-01', '2026-12-31', '2027-01-01'],
    [2026, 7, '2025-07-01', '2026-06-30', '2026-07-01'],
    [2026, 10, '2025-10-01', '2026-09-30', '2026-10-01'],
    [2024, 3, '2023-03-01', '2024-02-29', '2024-03-01'],
    [2026, 12, '2025-12-01', '2026-11-30', '2026-12-01'],
  ])('fiscal year %d starting in month %d runs %s to %s', (year, start, from, to, until) => expect(fiscalYearRange(year, start)).toEqual({ from, to, until }));
});

describe('which LM form the total receipts point to', () => {
  test.each([
    [0, 'LM-4'],
    [999_999, 'LM-4'],
    [1_000_000, 'LM-3'],
    [24_999_999, 'LM-3'],
    [25_000_000, 'LM-2'],
    [900_000_000, 'LM-2'],
  ])('%d cents → %s', (cents, form) => expect(formFor(cents)).toBe(form));
});

test('month ranges roll over the year', () => {
  expect(monthRange('2026-01')).toEqual({ from: '2026-01-01', until: '2026-02-01' });
  expect(monthRange('2026-12')).toEqual({ from: '2026-12-01', until: '2027-01-01' });
});

test('money figures from account movements: income credited, reversals, fees, refunds and disputes net, net is what was kept', () => {
  const figures = moneyFigures([
    { account: 'dues_income', debitsCents: 300, creditsCents: 10_000 },
    { account: 'initiation_fees', debitsCents: 0, creditsCents: 1_000 },
    { account: 'processing_fees', debitsCents: 400, creditsCents: 24 },
    { account: 'refunds', debitsCents: 1_500, creditsCents: 0 },
    { account: 'dispute_losses', debitsCents: 5_000, creditsCents: 2_500 },
    { account: 'dispute_fees', debitsCents: 3_000, creditsCents: 0 },
    { account: 'stripe_balance', debitsCents: 11_000, creditsCents: 9_000 },
  ]);
  expect(figures).toEqual({
    duesReceivedCents: 10_000,
    initiationFeesCents: 1_000,
    paymentReversalsCents: 300,
    processingFeesCents: 376,
    refundsCents: 1_500,
    disputesCents: 2_500,
    disputeFeesCents: 3_000,
    netCents: 10_000 + 1_000 - 300 - 376 - 1_500 - 2_500 - 3_000,
  });
  expect(moneyFigures([]).netCents).toBe(0);
});

describe('per-capita remittance: members in good standing × the rate in force on the first of the month', () => {
  const rates: AffiliateRate[] = [
    { affiliateId: 'i', affiliate: 'International', kind: 'international_union', rateCents: 1_000, effectiveFrom: '2025-01-01' },
    { affiliateId: 'i', affiliate: 'International', kind: 'international_union', rateCents: 1_200, effectiveFrom: '2026-02-01' },
    { affiliateId: 's', affiliate: 'State Federation', kind: 'state_federation', rateCents: 150, effectiveFrom: '2026-01-15' },
    { affiliateId: 'c', affiliate: 'Central Labor Council', kind: 'central_labor_council', rateCents: 75, effectiveFrom: '2024-06-01' },
  ];
  test.each([
    ['2026-01-01', 40, [['Central Labor Council', 75, 3_000], ['International', 1_000, 40_000]]],
    ['2026-02-01', 40, [['Central Labor Council', 75, 3_000], ['International', 1_200, 48_000], ['State Federation', 150, 6_000]]],
    ['2024-01-01', 40, []],
    ['2026-03-01', 0, [['Central Labor Council', 75, 0], ['International', 1_200, 0], ['State Federation', 150, 0]]],
  ] as const)('month from %s with %d members', (monthStart, members, expected) => {
    expect(perCapitaRemittance(monthStart, members, rates).map((line) => [line.affiliate, line.rateCents, line.owedCents])).toEqual(expected);
  });
});

describe('payout reconciliation', () => {
  const ledger: PayoutLedgerLine[] = [
    { id: 't1', kind: 'dues_payment', day: '2026-01-05', description: 'dues', memberId: 'm', netCents: 2500, stripeChargeId: 'ch_1', stripeRefundId: null, stripeDisputeId: null, stripeBalanceTransactionId: null },
    { id: 't2', kind: 'processing_fee', day: '2026-01-05', description: 'fee', memberId: 'm', netCents: -103, stripeChargeId: 'ch_1', stripeRefundId: null, stripeDisputeId: null, stripeBalanceTransactionId: null },
    { id: 't3', kind: 'refund', day: '2026-01-06', description: 'refund', memberId: 'm', netCents: -500, stripeChargeId: 'ch_1', stripeRefundId: 're_1', stripeDisputeId: null, stripeBalanceTransactionId: null },
    { id: 't4', kind: 'dispute', day: '2026-01-06', description: 'dispute', memberId: 'm', netCents: -2500, stripeChargeId: 'ch_2', stripeRefundId: null, stripeDisputeId: 'dp_1', stripeBalanceTransactionId: null },
    { id: 't5', kind: 'dispute_fee', day: '2026-01-06', description: 'dispute fee', memberId: 'm', netCents: -1500, stripeChargeId: 'ch_2', stripeRefundId: null, stripeDisputeId: 'dp_1', stripeBalanceTransactionId: null },
    { id: 't6', kind: 'dispute_reversal', day: '2026-01-09', description: 'won', memberId: 'm', netCents: 2500, stripeChargeId: 'ch_2', stripeRefundId: null, stripeDisputeId: 'dp_1', stripeBalanceTransactionId: null },
    { id: 't7', kind: 'dues_payment', day: '2026-01-05', description: 'dues', memberId: 'n', netCents: 2500, stripeChargeId: 'ch_2', stripeRefundId: null, stripeDisputeId: null, stripeBalanceTransactionId: null },
    { id: 't8', kind: 'processing_fee', day: '2026-01-05', description: 'fee', memberId: 'n', netCents: -103, stripeChargeId: 'ch_2', stripeRefundId: null, stripeDisputeId: null, stripeBalanceTransactionId: null },
  ];
  const lines: PayoutBalanceLine[] = [
    { id: 'txn_1', type: 'charge', reportingCategory: 'charge', sourceId: 'ch_1', netCents: 2397 },
    { id: 'txn_2', type: 'refund', reportingCategory: 'refund', sourceId: 're_1', netCents: -500 },
    { id: 'txn_3', type: 'charge', reportingCategory: 'charge', sourceId: 'ch_2', netCents: 2397 },
    { id: 'txn_4', type: 'adjustment', reportingCategory: 'dispute', sourceId: 'dp_1', netCents: -4000 },
    { id: 'txn_5', type: 'payout', reportingCategory: 'payout', sourceId: 'po_1', netCents: -294 },
  ];

  test('a payout whose lines all have postings with the same nets, summing to its amount, matches', () => {
    const result = reconcilePayout({ payoutId: 'po_1', status: 'paid', arrivalDate: '2026-01-08', amountCents: 294, postedCents: 294, balanceLines: lines, ledgerLines: ledger });
    expect(result).toMatchObject({ matched: true, mismatches: [], transactionsCents: 294 });
    // The reinstatement is a later line in another payout: not counted here.
    expect(result.transactions.map((t) => t.id).sort()).toEqual(['t1', 't2', 't3', 't4', 't5', 't7', 't8']);
  });

  test('postings that name their balance transaction are matched by it: a dispute withdrawn twice in one payout, each withdrawal once; one posted twice is found', () => {
    const named = (id: string, kind: PayoutLedgerLine['kind'], txn: string, netCents: number): PayoutLedgerLine => ({ id, kind, day: '2026-02-01', description: kind, memberId: 'm', netCents, stripeChargeId: 'ch_9', stripeRefundId: null, stripeDisputeId: 'dp_9', stripeBalanceTransactionId: txn });
    const twice: PayoutBalanceLine[] = [
      { id: 'txn_w1', type: 'adjustment', reportingCategory: 'dispute', sourceId: 'dp_9', netCents: -4000 },
      { id: 'txn_r1', type: 'adjustment', reportingCategory: 'dispute_reversal', sourceId: 'dp_9', netCents: 2500 },
      { id: 'txn_w2', type: 'adjustment', reportingCategory: 'dispute', sourceId: 'dp_9', netCents: -3500 },
    ];
    const postings = [named('a', 'dispute', 'txn_w1', -2500), named('b', 'dispute_fee', 'txn_w1', -1500), named('c', 'dispute_reversal', 'txn_r1', 2500), named('d', 'dispute', 'txn_w2', -2500), named('e', 'dispute_fee', 'txn_w2', -1000)];
    const ok = reconcilePayout({ payoutId: 'po_9', status: 'paid', arrivalDate: '2026-02-03', amountCents: -5000, postedCents: -5000, balanceLines: twice, ledgerLines: postings });
    expect(ok).toMatchObject({ matched: true, transactionsCents: -5000 });
    const doubled = reconcilePayout({ payoutId: 'po_9', status: 'paid', arrivalDate: '2026-02-03', amountCents: -5000, postedCents: -5000, balanceLines: twice, ledgerLines: [...postings, named('f', 'dispute', 'txn_w2', -2500)] });
    expect(doubled.mismatches).toContain('Stripe adjustment txn_w2 (dp_9) nets -3500 but its ledger postings net -6000');
  });

  test('a missing posting, a wrong amount and an unposted payout are each listed', () => {
    const result = reconcilePayout({ payoutId: 'po_1', status: 'paid', arrivalDate: '2026-01-08', amountCents: 294, postedCents: null, balanceLines: lines, ledgerLines: ledger.filter((t) => t.id !== 't3' && t.id !== 't8') });
    expect(result.matched).toBe(false);
    expect(result.mismatches).toEqual([
      'payout po_1 is paid at Stripe but not posted to the ledger',
      'Stripe refund txn_2 (re_1) of net -500 has no ledger posting',
      'Stripe charge txn_3 (ch_2) nets 2397 but its ledger postings net 2500',
      'payout po_1 of 294 does not equal its transactions\' 897',
    ]);
  });

  test('a posted payout of another amount is listed', () => {
    const result = reconcilePayout({ payoutId: 'po_1', status: 'paid', arrivalDate: '2026-01-08', amountCents: 294, postedCents: 300, balanceLines: lines, ledgerLines: ledger });
    expect(result.mismatches).toEqual(['payout po_1: the ledger posted 300 but Stripe paid out 294']);
  });
});

test('member statement: each payment shows the period it covered, from its posting; standing changes and period-less postings none', () => {
  const at = new Date('2026-01-05T12:00:00Z');
  const fact = (id: string, kind: 'dues_payment' | 'manual_payment' | 'payout', periodStart: string | null, periodEnd: string | null) => ({ id, at, day: '2026-01-05', kind, description: kind, amountCents: 2500, paymentMethod: null, periodStart, periodEnd, stripeChargeId: null, creditAccounts: 'dues_income' });
  const statement = memberStatement(
    [fact('a', 'dues_payment', '2026-01-05', '2026-02-04'), fact('b', 'manual_payment', '2026-02-05', '2026-04-04'), fact('c', 'payout', null, null)],
    [{ at, day: '2026-01-05', from: 'pending', to: 'active', cause: 'stripe_event' }],
  );
  expect(statement.lines.map((line) => line.periodCovered)).toEqual([{ start: '2026-01-05', end: '2026-02-04' }, { start: '2026-02-05', end: '2026-04-04' }, null, null]);
});

test('member statement: money from the member side, fees at zero, standing changes interleaved by time', () => {
  const at = (day: string, hour = 12) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
  const fact = (id: string, day: string, kind: Parameters<typeof memberStatement>[0][number]['kind'], amountCents: number, creditAccounts = 'dues_income') => ({ id, at: at(day), day, kind, description: kind, amountCents, paymentMethod: null, periodStart: null, periodEnd: null, stripeChargeId: null, creditAccounts });
  const statement = memberStatement(
    [
      fact('a', '2026-01-05', 'dues_payment', 2500),
      fact('b', '2026-01-05', 'processing_fee', 103, 'stripe_balance'),
      fact('c', '2026-01-07', 'refund', 500, 'stripe_balance'),
      fact('d', '2026-01-20', 'manual_payment', 1200),
      fact('e', '2026-02-09', 'payment_reversal', 2500, 'stripe_balance'),
      fact('f', '2026-02-09', 'payment_reversal', 103, 'processing_fees'),
    ],
    [{ at: at('2026-01-05', 13), day: '2026-01-05', from: 'pending', to: 'active', cause: 'stripe_event' }],
  );
  expect(statement.lines.map((line) => [line.day, line.kind, line.amountCents])).toEqual([
    ['2026-01-05', 'dues_payment', 2500],
    ['2026-01-05', 'processing_fee', 0],
    ['2026-01-05', 'standing: active', 0],
    ['2026-01-07', 'refund', -500],
    ['2026-01-20', 'manual_payment', 1200],
    ['2026-02-09', 'payment_reversal', -2500],
    ['2026-02-09', 'payment_reversal', 0],
  ]);
  expect(statement.totals).toEqual({ paidCents: 3700, refundedCents: 500, disputedCents: 0, reversedCents: 2500 });
});

test('export cells: plain words, decimal amounts from integer cents, a minor-units column, outside text neutralised', () => {
  const row: LedgerExportRow = {
    id: 'tx-1', day: '2026-01-05', kind: 'refund', description: 'Refund re_1 of charge ch_1', member_id: 'm-1', member_name: '@Ana', plan_name: 'Regular',
    period_start: '2026-01-05', period_end: '2026-02-04', amount_cents: 1500, gross_cents: -1500, fee_cents: 0, net_cents: -1500, currency: 'usd', payment_method: 'us_bank_account',
    debit_accounts: 'refunds', credit_accounts: 'stripe_balance', stripe_invoice_id: 'in_1', stripe_charge_id: 'ch_1', stripe_refund_id: 're_1', stripe_dispute_id: null, stripe_payout_id: null, payout_arrival_date: null,
      original_day: null,
    posted_at: new Date('2026-01-05T15:00:00Z'), xact: '1', first_entry: 1,
  };
  expect(exportCells(row)).toEqual(['2026-01-05', 'tx-1', 'refund', 'Refund re_1 of charge ch_1', "'@Ana", 'm-1', 'Regular', '2026-01-05 to 2026-02-04', '15.00', '1500', '-15.00', '0.00', '-15.00', 'USD', 'bank debit', 'Refunds', 'Stripe balance', 'in_1', 'ch_1', 're_1', '', '', '', '']);
});

test('report CSVs keep negative amounts as numbers and neutralise anything else that starts like a formula', () => {
  const csv = reportCsv({ header: ['Line', 'Amount'], rows: [['Refunds', '-15.00'], ['-1+2', '@SUM(A1)'], ['=HYPERLINK("x")', '2500']] });
  expect(csv).toBe('\ufeffLine,Amount\r\nRefunds,-15.00\r\n\'-1+2,\'@SUM(A1)\r\n"\'=HYPERLINK(""x"")",2500\r\n');
});
