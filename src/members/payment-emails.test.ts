import type { LedgerTransactionDraft } from '../ledger/postings';
import { paymentEmailFacts } from './payment-emails';

const at = new Date('2026-03-05T15:00:00Z');
const draft = (d: Partial<LedgerTransactionDraft>): LedgerTransactionDraft => ({ sourceKey: 'k', kind: 'dues_payment', occurredAt: at, currency: 'usd', description: '', entries: [], memberId: 'm1', ...d });

describe('paymentEmailFacts: which emails new postings owe', () => {
  test('a charge’s dues and initiation fee make one receipt; its processing fee none', () => {
    const facts = paymentEmailFacts([
      { organizationId: 'o', draft: draft({ sourceKey: 'charge:ch_1:payment', stripeChargeId: 'ch_1', grossCents: 2500, periodStart: '2026-03-05', periodEnd: '2026-04-04', paymentMethod: 'card' }) },
      { organizationId: 'o', draft: draft({ sourceKey: 'charge:ch_1:initiation', kind: 'initiation_fee', stripeChargeId: 'ch_1', grossCents: 1000, paymentMethod: 'card' }) },
      { organizationId: 'o', draft: draft({ sourceKey: 'charge:ch_1:fee', kind: 'processing_fee', stripeChargeId: 'ch_1', grossCents: 0, feeCents: 103 }) },
    ]);
    expect(facts).toEqual([
      { organizationId: 'o', memberId: 'm1', kind: 'receipt', dedupeKey: 'receipt:ch_1', currency: 'usd', occurredAt: at, paymentMethod: 'card', duesCents: 2500, initiationFeeCents: 1000, refundedCents: 0, periodStart: '2026-03-05', periodEnd: '2026-04-04' },
    ]);
  });

  test.each([
    ['a refund: one notice, its amount positive', draft({ kind: 'refund', stripeChargeId: 'ch_1', stripeRefundId: 're_1', grossCents: -1000 }), [{ kind: 'refund', dedupeKey: 'refund:re_1', refundedCents: 1000 }]],
    ['a payment with no member (a stray charge): none', draft({ stripeChargeId: 'ch_2', grossCents: 2500, memberId: null }), []],
    ['a manual payment (no Stripe charge): none, the treasurer hands a receipt', draft({ grossCents: 2500, paymentMethod: 'check' }), []],
    ['a reversal, a dispute or a payout: none', draft({ kind: 'payment_reversal', stripeChargeId: 'ch_3', grossCents: -2500 }), []],
  ])('%s', (_name, posted, expected) => {
    expect(paymentEmailFacts([{ organizationId: 'o', draft: posted }])).toEqual(expected.map((e) => expect.objectContaining(e)));
  });
});
