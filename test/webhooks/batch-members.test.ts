import type Stripe from 'stripe';
import { createStripeClient } from '../../src/stripe/client';
import { memberMetadata } from '../../src/stripe/metadata';
import { linkToMember, lockMembersNamedBy, membersTouched, untouchByEvent, updateLinkedMember } from '../../webhooks/linking';
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

  test('the members a batch touched are kept once each, with the last event that linked to them; an event found not ours touches none', async () => {
    await testDb.db.transaction().execute(async (trx) => {
      const paid = event({ object: 'invoice', id: 'in_2', customer: 'cus_lucia' });
      const refunded = event({ object: 'charge', id: 'ch_2', customer: 'cus_lucia' });
      await lockMembersNamedBy(trx, [paid, refunded]);
      await linkToMember(trx, stripe, paid, { customerId: 'cus_lucia' }, TEST_NOW);
      await linkToMember(trx, stripe, refunded, { customerId: 'cus_lucia' }, TEST_NOW);
      expect(membersTouched(trx)).toEqual([{ organizationId, memberId, eventId: refunded.id }]);
      untouchByEvent(trx, refunded.id);
      expect(membersTouched(trx)).toEqual([{ organizationId, memberId, eventId: paid.id }]);
      untouchByEvent(trx, paid.id);
      expect(membersTouched(trx)).toEqual([]);
    });
  });
});
