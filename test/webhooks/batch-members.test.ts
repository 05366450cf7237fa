import type Stripe from 'stripe';
import { createStripeClient } from '../../src/stripe/client';
import { memberMetadata } from '../../src/stripe/metadata';
import { coverPeriod, forgetLinkedMember, linkToMember, lockMembersNamedBy, updateLinkedMember, writeMovedCoverage } from '../../webhooks/linking';
import { createMember, createOrganization } from '../ledger/support';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_NOW } from '../support/app';

let testDb: TestDatabase;
let organizationId: string;
let memberId: string;
// Linking by our metadata or a stored customer id reads nothing from Stripe; this client
// would fail if anything tried.
const stripe = createStripeClient({ secretKey: 'sk_test_unreachable', apiBase: 'http://127.0.0.1:9', maxNetworkRetries: 0 });

beforeAll(async () => {
  testDb = await createTestDatabase();
  organizationId = await createOrganization(testDb.db, 'batch-members');
  memberId = await createMember(testDb.db, organizationId, 'lucia@example.org');
  await testDb.db.updateTable('members').set({ stripe_customer_id: 'cus_lucia' }).where('id', '=', memberId).execute();
});
afterAll(async () => {
  await testDb.drop();
});

const event = (object: Record<string, unknown>) => ({ id: `evt_${Math.random()}`, type: 'invoice.paid', data: { object } }) as unknown as Stripe.Event;

describe("a batch's linked members", () => {
  test('every event of the batch gets the row read when it began, with the changes earlier events made', async () => {
    await testDb.db.transaction().execute(async (trx) => {
      const byCustomer = event({ object: 'invoice', id: 'in_1', customer: 'cus_lucia' });
      const byMetadata = event({ object: 'subscription', id: 'sub_1', customer: 'cus_lucia', metadata: memberMetadata({ organizationId, memberId }) });
      await lockMembersNamedBy(trx, [byCustomer, byMetadata]);
      // Another connection cannot take the row now: the batch holds its lock.
      const locked = await testDb.db.selectFrom('members').select('id').where('id', '=', memberId).forUpdate().skipLocked().execute();
      expect(locked).toEqual([]);

      const first = await linkToMember(trx, stripe, byCustomer, { customerId: 'cus_lucia' }, TEST_NOW);
      await updateLinkedMember(trx, first.member, { paid_through: '2026-12-04', joined_on: '2026-11-05' });
      const second = await linkToMember(trx, stripe, byMetadata, { metadata: memberMetadata({ organizationId, memberId }), customerId: 'cus_lucia' }, TEST_NOW);
      expect(second.member).toBe(first.member);
      expect(second.member).toMatchObject({ paid_through: '2026-12-04', joined_on: '2026-11-05' });
    });
  });

  test('metadata naming a member by something that is not a uuid locks nothing and fails nothing', async () => {
    await testDb.db.transaction().execute(async (trx) => {
      const forged = event({ object: 'subscription', id: 'sub_2', customer: 'cus_other', metadata: memberMetadata({ organizationId, memberId: '7d1c1f0e5a52-4c55-9d5e-0b8f1f6a1a01-x' }) });
      await expect(lockMembersNamedBy(trx, [forged])).resolves.toEqual([]);
    });
  });

  test('a member forgotten after a write elsewhere is read anew by the next event', async () => {
    await testDb.db.transaction().execute(async (trx) => {
      const paid = event({ object: 'invoice', id: 'in_2', customer: 'cus_lucia' });
      await lockMembersNamedBy(trx, [paid]);
      const first = await linkToMember(trx, stripe, paid, { customerId: 'cus_lucia' }, TEST_NOW);
      await trx.updateTable('members').set({ standing: 'past_due' }).where('id', '=', memberId).execute();
      await forgetLinkedMember(trx, memberId);
      const second = await linkToMember(trx, stripe, paid, { customerId: 'cus_lucia' }, TEST_NOW);
      expect(second.member).not.toBe(first.member);
      expect(second.member.standing).toBe('past_due');
    });
  });

  test('a period paid moves the paid-through date at once for the batch, never back, and is written when the batch ends (or before the member is forgotten)', async () => {
    const paidThrough = async () => (await testDb.db.selectFrom('members').select(['paid_through', 'joined_on']).where('id', '=', memberId).executeTakeFirstOrThrow());
    const now = new Date('2026-11-24T12:00:00Z');
    await testDb.db.transaction().execute(async (trx) => {
      const renewal = event({ object: 'invoice', id: 'in_3', customer: 'cus_lucia' });
      const { member } = await linkToMember(trx, stripe, renewal, { customerId: 'cus_lucia' }, TEST_NOW);
      coverPeriod(trx, member, { start: '2027-01-05', end: '2027-02-04' }, now);
      coverPeriod(trx, member, { start: '2026-10-05', end: '2026-11-04' }, now);
      expect(member).toMatchObject({ paid_through: '2027-02-04', joined_on: '2026-10-05' });
      expect((await linkToMember(trx, stripe, renewal, { customerId: 'cus_lucia' }, TEST_NOW)).member).toBe(member);
      await writeMovedCoverage(trx);
      expect(await trx.selectFrom('members').select(['paid_through', 'joined_on']).where('id', '=', memberId).executeTakeFirstOrThrow()).toEqual({ paid_through: '2027-02-04', joined_on: '2026-10-05' });

      coverPeriod(trx, member, { start: '2027-02-05', end: '2027-03-04' }, now);
      await forgetLinkedMember(trx, memberId);
      const reread = (await linkToMember(trx, stripe, renewal, { customerId: 'cus_lucia' }, TEST_NOW)).member;
      expect(reread).not.toBe(member);
      expect(reread.paid_through).toBe('2027-03-04');
    });
    expect(await paidThrough()).toEqual({ paid_through: '2027-03-04', joined_on: '2026-10-05' });
  });
});
