import type { Member, StaffRole } from '../../db/database';
import {
  checkWageFacts,
  decodeCursor,
  encodeCursor,
  fieldsNotAllowed,
  manualPaymentSchema,
  memberChangesSchema,
  memberViewFor,
  parseDollars,
  presentMember,
  presentMemberRecord,
  presentStandingChange,
  type MemberChanges,
  type PlanTerms,
} from './members';

describe('parseDollars: dollars as written → integer cents, without floats', () => {
  test.each([
    ['25.00', 2500],
    ['25', 2500],
    ['25.5', 2550],
    ['0.07', 7],
    ['$1,234.56', 123_456],
    ['  40.10 ', 4010],
    ['0', 0],
    ['999999999.99', 99_999_999_999],
    // 0.1 + 0.2 style float traps: the string is read digit by digit.
    ['0.29', 29],
    ['1.15', 115],
  ])('%s → %i', (text, cents) => {
    expect(parseDollars(text)).toBe(cents);
  });

  test.each(['', 'abc', '25.001', '-5.00', '1,23.00', '12,34', '1e3', '25.', '.50', '$', '1 000'])('%j is not an amount', (text) => {
    expect(parseDollars(text)).toBeUndefined();
  });
});

describe('fieldsNotAllowed: who may change what', () => {
  const contact: MemberChanges = { phone: '555-0100', worksite: 'Plant 2', preferredLanguage: 'es', organizerStaffUserId: null };
  test.each<[string, StaffRole[], MemberChanges, string[]]>([
    ['an organizer changes contact details and the organizer', ['organizer'], contact, []],
    ['an organizer may not change the email', ['organizer'], { email: 'x@example.org' }, ['email']],
    ['an organizer may not change the plan or wages', ['organizer'], { planId: null, wageFacts: {} }, ['planId', 'wageFacts']],
    ['an organizer may not change standing', ['organizer'], { standing: 'lapsed' }, ['standing']],
    ['a treasurer changes money fields', ['treasurer'], { planId: null, wageFacts: {}, email: 'x@example.org', name: 'X' }, []],
    ['a treasurer may not change standing', ['treasurer'], { standing: 'exempt', standingReason: 'retired' }, ['standing', 'standingReason']],
    ['an admin changes standing', ['admin'], { standing: 'exempt', standingReason: 'retired' }, []],
    ['roles add up: organizer and treasurer', ['organizer', 'treasurer'], { email: 'x@example.org', phone: '1' }, []],
  ])('%s', (_case, roles, changes, refused) => {
    expect(fieldsNotAllowed(roles, changes)).toEqual(refused);
  });
});

describe('memberChangesSchema', () => {
  test('a reason without a change of standing is refused on the reason', () => {
    const result = memberChangesSchema.safeParse({ standingReason: 'why' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['standingReason']);
  });
  test('a blank optional text clears it', () => {
    expect(memberChangesSchema.parse({ phone: '  ' })).toEqual({ phone: null });
  });
});

describe('manualPaymentSchema', () => {
  const payment = { method: 'cash', amountCents: 2500, periodStart: '2026-11-01', periodEnd: '2026-11-30' };
  test.each<[string, Record<string, unknown>, string | undefined]>([
    ['a month of cash', payment, undefined],
    ['one day', { ...payment, periodEnd: '2026-11-01' }, undefined],
    ['the period ends before it starts', { ...payment, periodEnd: '2026-10-31' }, 'periodEnd'],
    ['zero cents', { ...payment, amountCents: 0 }, 'amountCents'],
    ['fractional cents', { ...payment, amountCents: 25.5 }, 'amountCents'],
    ['dollars as a string', { ...payment, amountCents: '25.00' }, 'amountCents'],
    ['an unknown method', { ...payment, method: 'bitcoin' }, 'method'],
    ['not a calendar day', { ...payment, periodStart: '2026-02-30' }, 'periodStart'],
  ])('%s', (_case, input, field) => {
    const result = manualPaymentSchema.safeParse(input);
    expect(result.success ? undefined : result.error.issues[0]?.path.join('.')).toBe(field);
  });
});

describe('keyset cursors', () => {
  test('round trip, whatever the name holds', () => {
    const cursor = { name: 'Zoë "Z" O\'Neil, Jr.', id: '3f1c2a54-9a53-4c1e-9a7e-0c1a7d3e5b11' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });
  test.each(['', 'not-base64!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["x","not-a-uuid"]').toString('base64url')])('%j is refused', (value) => {
    expect(decodeCursor(value)).toBeUndefined();
  });
});

describe('checkWageFacts', () => {
  const monthly = { interval: 'month', intervalCount: 1 } as const;
  const flat: PlanTerms = { rule: { kind: 'flat', amountCents: 2500 }, period: monthly };
  const percent: PlanTerms = { rule: { kind: 'percent_of_wages', basisPoints: 210, minimumCents: 2500, maximumCents: 7500 }, period: monthly };

  test('a flat plan keeps no wage facts', () => {
    expect(checkWageFacts(flat, { grossWageCents: 500_000, payFrequency: 'monthly' })).toEqual({ ok: true, wageFacts: {}, duesCents: 2500 });
  });
  test('a percent plan keeps wages and frequency, and computes the dues', () => {
    expect(checkWageFacts(percent, { grossWageCents: 200_000, payFrequency: 'monthly', hourlyWageCents: 1500 })).toEqual({
      ok: true,
      wageFacts: { grossWageCents: 200_000, payFrequency: 'monthly' },
      duesCents: 4200,
    });
  });
  test('a percent plan without a pay frequency names it', () => {
    expect(checkWageFacts(percent, { grossWageCents: 200_000 })).toMatchObject({ ok: false, field: 'payFrequency' });
  });
});

describe('presentMember: the one projection by role', () => {
  const member: Member = {
    id: '3f1c2a54-9a53-4c1e-9a7e-0c1a7d3e5b11',
    organization_id: 'a0000000-0000-4000-8000-000000000000',
    name: 'Rosa Parks',
    email: 'rosa@example.org',
    phone: '555-0100',
    preferred_language: 'es',
    employer: 'Acme',
    worksite: 'Plant 2',
    member_class: 'regular',
    organizer_staff_user_id: null,
    external_id: 'L7-001',
    stripe_customer_id: 'cus_123',
    plan_id: 'b0000000-0000-4000-8000-000000000000',
    wage_facts: { grossWageCents: 200_000, payFrequency: 'monthly' },
    joined_on: '2020-01-15',
    paid_through: '2026-11-30',
    recorded_paid_through: null,
    standing_decision: null,
    standing_reason: null,
    standing_reason_since: null,
    standing: 'active',
    standing_changed_at: new Date('2026-11-01T00:00:00Z'),
    last_signal_on: null,
    created_at: new Date('2026-01-01T00:00:00Z'),
    updated_at: new Date('2026-11-01T00:00:00Z'),
  };

  test.each<[StaffRole[], 'full' | 'contact']>([
    [['admin'], 'full'],
    [['treasurer'], 'full'],
    [['organizer'], 'contact'],
    [['organizer', 'treasurer'], 'full'],
  ])('%j see the %s projection', (roles, view) => {
    expect(memberViewFor(roles)).toBe(view);
  });

  test('organizers see standing and contact details, and nothing about money', () => {
    const seen = presentMember(member, 'contact');
    expect(Object.keys(seen).sort()).toEqual(
      ['id', 'name', 'email', 'phone', 'preferredLanguage', 'employer', 'worksite', 'memberClass', 'organizerStaffUserId', 'standing', 'standingReason', 'standingReasonSince', 'standingChangedAt', 'paidThrough', 'joinedOn'].sort(),
    );
    const text = JSON.stringify(seen);
    for (const secret of ['cus_123', 'grossWage', '200000', member.plan_id!, 'L7-001']) expect(text).not.toContain(secret);
  });

  test('treasurers and admins see the plan, wage facts and Stripe customer too', () => {
    expect(presentMember(member, 'full')).toMatchObject({ planId: member.plan_id, wageFacts: member.wage_facts, stripeCustomerId: 'cus_123', externalId: 'L7-001', paidThrough: '2026-11-30' });
  });
});

describe('presentStandingChange', () => {
  const change = { id: 7, from_standing: 'active' as const, to_standing: 'exempt' as const, cause: 'staff', cause_reference: 'medical leave', reason: 'exempt_by_officer', staff_user_id: null, created_at: new Date('2026-11-24T15:00:00Z') };
  test('organizers see what changed and why in general, not the reference behind it', () => {
    expect(presentStandingChange(change, 'contact')).toEqual({ id: 7, from: 'active', to: 'exempt', cause: 'staff', reason: 'exempt_by_officer', staffUserId: null, at: change.created_at });
  });
  test('treasurers and admins see the reference', () => {
    expect(presentStandingChange(change, 'full')).toMatchObject({ causeReference: 'medical leave' });
  });
});

describe('presentMemberRecord', () => {
  const member = {
    id: '3f1c2a54-9a53-4c1e-9a7e-0c1a7d3e5b11',
    organization_id: 'a0000000-0000-4000-8000-000000000000',
    name: 'Rosa',
    email: 'rosa@example.org',
    phone: null,
    preferred_language: 'en',
    employer: null,
    worksite: null,
    member_class: 'regular',
    organizer_staff_user_id: null,
    external_id: null,
    stripe_customer_id: null,
    plan_id: null,
    wage_facts: {},
    joined_on: null,
    paid_through: '2026-11-30',
    recorded_paid_through: null,
    standing_decision: null,
    standing_reason: null,
    standing_reason_since: null,
    standing: 'active',
    standing_changed_at: new Date(),
    last_signal_on: null,
    created_at: new Date(),
    updated_at: new Date(),
  } satisfies Member;
  const payment = {
    id: 'p',
    organization_id: member.organization_id,
    member_id: member.id,
    method: 'cash' as const,
    amount_cents: 2500,
    currency: 'usd',
    period_start: '2026-11-01',
    period_end: '2026-11-30',
    received_on: '2026-11-02',
    reference: null,
    note: null,
    recorded_by_staff_user_id: null,
    partial: false,
    credit_cents: 0,
    credit_used_cents: 0,
    created_at: new Date(),
    remittance_id: null,
    remittance_row: null,
    reversed_at: null,
  };
  const money = { duesCents: 2500, currency: 'usd', manualPayments: [payment], creditCents: 0 };

  test('organizers get no money, even when it is handed over', () => {
    const seen = presentMemberRecord(member, 'contact', [], money);
    expect(seen).not.toHaveProperty('duesCents');
    expect(seen).not.toHaveProperty('manualPayments');
  });
  test('treasurers get dues and manual payments', () => {
    expect(presentMemberRecord(member, 'full', [], money)).toMatchObject({ duesCents: 2500, currency: 'usd', manualPayments: [{ amountCents: 2500, periodEnd: '2026-11-30' }] });
  });
});
