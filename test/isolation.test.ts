import request from 'supertest';
import { routeTable } from '../src/app';
import { grantRole } from '../src/staff/queries';
import { inviteStaff } from '../src/staff/invitations';
import { insertPlan, insertPlanVersion } from '../src/plans/queries';
import type { Db } from '../db/connection';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createOrganizationWithStaff, memberTimes, staffToken, testApp, testContext, type OrganizationFixture } from './support/app';

// Every staff route is walked from the route table, so a new route is covered the day it
// is added. A route whose path has a parameter needs a sample of organization A's value
// for it here; a missing sample fails the test rather than skipping the route.
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let orgA: OrganizationFixture;
let orgB: OrganizationFixture;
let planOfA: string;
const EVENT_OF_A = 'evt_IsolationOfOrgA1';
// Every organization has every month: B's call on a month acts on B's own (A's, closed, must stay closed).
const MONTH_CLOSED_BY_A = '2026-09';
let memberOfA: string;
let affiliateOfA: string;
let perCapitaPaymentOfA: string;
let rateOfA: string;
let invitationOfA: string;
let uploadOfA: string;
let increaseOfA: string;
let bankLineOfA: string;
let batchOfA: string;
let batchItemOfA: string;
let employerOfA: string;
let remittanceOfA: string;

async function snapshotOf(db: Db, organizationId: string): Promise<string> {
  const rows = await Promise.all([
    db.selectFrom('organizations').selectAll().where('id', '=', organizationId).execute(),
    db.selectFrom('staff_roles').selectAll().where('organization_id', '=', organizationId).orderBy('staff_user_id').orderBy('role').execute(),
    db.selectFrom('staff_users').innerJoin('staff_roles', 'staff_roles.staff_user_id', 'staff_users.id').select(['staff_users.id', 'staff_users.email', 'staff_users.name']).where('staff_roles.organization_id', '=', organizationId).orderBy('staff_users.id').execute(),
    db.selectFrom('email_outbox').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('plans').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('plan_versions').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('stripe_events').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('member_standing_changes').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('manual_payments').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('retention_policies').selectAll().where('organization_id', '=', organizationId).execute(),
    db.selectFrom('worksite_organizers').selectAll().where('organization_id', '=', organizationId).orderBy('worksite').execute(),
    db.selectFrom('member_exemptions').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('outreach_log').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('affiliates').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('per_capita_rates').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('staff_invitations').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('staff_sessions').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('closed_months').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('roll_uploads').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('dues_increases').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('dues_increase_items').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('bank_statement_mappings').selectAll().where('organization_id', '=', organizationId).execute(),
    db.selectFrom('bank_lines').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('deposit_batches').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('deposit_batch_items').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('employers').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('member_payroll_deductions').selectAll().where('organization_id', '=', organizationId).orderBy('member_id').execute(),
    db.selectFrom('remittances').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('remittance_lines').selectAll().where('organization_id', '=', organizationId).orderBy('remittance_id').orderBy('row_number').execute(),
    db.selectFrom('per_capita_payments').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute(),
    db.selectFrom('ledger_transactions').select(['id', 'source_key']).where('organization_id', '=', organizationId).orderBy('id').execute(),
  ]);
  return JSON.stringify(rows);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  orgA = await createOrganizationWithStaff(ctx, 'org-a');
  orgB = await createOrganizationWithStaff(ctx, 'org-b');
  const bAdmin = orgB.staff.admin.id;
  const now = ctx.now();
  await grantRole(ctx.db, orgB.id, bAdmin, 'treasurer', now);
  await grantRole(ctx.db, orgB.id, bAdmin, 'organizer', now);
  planOfA = (await insertPlan(ctx.db, { organization_id: orgA.id, name: 'Regular', currency: 'usd', billing_interval: 'month' }, now)).id;
  await insertPlanVersion(ctx.db, { organization_id: orgA.id, plan_id: planOfA, version: 1, effective_from: '2026-01-01', amount_rule: JSON.stringify({ kind: 'flat', amountCents: 2500 }), initiation_fee_cents: null, authorization_note: 'vote' }, now);
  memberOfA = (await ctx.db.insertInto('members').values({ organization_id: orgA.id, name: 'Ana of A', email: 'ana@members.org-a.example.org', plan_id: planOfA, wage_facts: '{}', ...memberTimes(now) }).returning('id').executeTakeFirstOrThrow()).id;
  await ctx.db
    .insertInto('stripe_events')
    .values({ id: EVENT_OF_A, type: 'invoice.paid', stripe_created_at: now, payload: JSON.stringify({ id: EVENT_OF_A }), livemode: false, serial_key: 'k', status: 'failed', organization_id: orgA.id, last_error: 'boom', received_at: now, next_attempt_at: now })
    .execute();
  affiliateOfA = (await ctx.db.insertInto('affiliates').values({ organization_id: orgA.id, name: 'International of A', kind: 'international_union', created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  rateOfA = (await ctx.db.insertInto('per_capita_rates').values({ organization_id: orgA.id, affiliate_id: affiliateOfA, rate_cents: 1100, effective_from: '2026-01-01', created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  perCapitaPaymentOfA = (await ctx.db.insertInto('per_capita_payments').values({ organization_id: orgA.id, affiliate_id: affiliateOfA, month: '2026-07', amount_cents: 1100, currency: 'usd', paid_on: '2026-08-05', reference: 'Check of A', recorded_by_staff_user_id: orgA.staff.treasurer.id, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  invitationOfA = (await inviteStaff(ctx.db, { organizationId: orgA.id, organizationName: 'org-a union', email: 'invitee@org-a.example.org', name: 'Invitee of A', role: 'organizer', invitedBy: orgA.staff.admin.id, publicUrl: 'http://gs.test', now })).id;
  await ctx.db.insertInto('retention_policies').values({ organization_id: orgA.id, policy: JSON.stringify({ graceDays: 20 }), updated_at: now }).execute();
  await ctx.db.insertInto('worksite_organizers').values({ organization_id: orgA.id, worksite: 'Plant of A', organizer_staff_user_id: orgA.staff.organizer.id, updated_at: now }).execute();
  const versionOfA = await ctx.db.selectFrom('plan_versions').select('id').where('plan_id', '=', planOfA).executeTakeFirstOrThrow();
  increaseOfA = (await ctx.db.insertInto('dues_increases').values({ organization_id: orgA.id, plan_id: planOfA, plan_version_id: versionOfA.id, notice_days: 30, notice_on: '2025-12-02', effective_from: '2026-01-01', confirmed_by_staff_user_id: orgA.staff.admin.id, confirmed_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  await ctx.db.insertInto('dues_increase_items').values({ organization_id: orgA.id, increase_id: increaseOfA, member_id: memberOfA, subscription_id: 'sub_of_a', before_cents: 2500, after_cents: 2800, last_error: 'card_declined' }).execute();
  uploadOfA = (await ctx.db.insertInto('roll_uploads').values({ organization_id: orgA.id, staff_user_id: orgA.staff.admin.id, mode: 'add', file_name: 'roll.csv', file_text: 'name,email\nNew of A,new@members.org-a.example.org\n', created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  const bankImportOfA = (await ctx.db.insertInto('bank_imports').values({ organization_id: orgA.id, file_name: 'a.csv', rows_read: 1, deposits_new: 1, deposits_known: 0, imported_at: now, imported_by_staff_user_id: orgA.staff.treasurer.id }).returning('id').executeTakeFirstOrThrow()).id;
  bankLineOfA = (await ctx.db.insertInto('bank_lines').values({ organization_id: orgA.id, import_id: bankImportOfA, booked_on: '2026-08-03', amount_cents: 2500, description: 'Deposit of A', line_hash: 'hash-of-a' }).returning('id').executeTakeFirstOrThrow()).id;
  batchOfA = (await ctx.db.insertInto('deposit_batches').values({ organization_id: orgA.id, deposited_on: '2026-08-02', reference: 'Slip of A', created_at: now, created_by_staff_user_id: orgA.staff.treasurer.id, posted_at: null, posted_by_staff_user_id: null }).returning('id').executeTakeFirstOrThrow()).id;
  batchItemOfA = (await ctx.db.insertInto('deposit_batch_items').values({ organization_id: orgA.id, batch_id: batchOfA, member_id: memberOfA, payer: 'Payer of A', method: 'check', amount_cents: 2500, check_number: '1', period_start: '2026-08-01', period_end: '2026-08-31', manual_payment_id: null, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  await ctx.db.insertInto('closed_months').values({ organization_id: orgA.id, month: MONTH_CLOSED_BY_A, closed_at: now, closed_by_staff_user_id: orgA.staff.treasurer.id, member_counts: JSON.stringify({ paying: 0, joined: 1, lapsed: 0, recovered: 0 }) }).execute();
  employerOfA = (await ctx.db.insertInto('employers').values({ organization_id: orgA.id, name: 'Employer of A', pay_frequency: 'monthly', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  await ctx.db.insertInto('member_payroll_deductions').values({ organization_id: orgA.id, member_id: memberOfA, employer_id: employerOfA, employee_number: 'E1', created_at: now, updated_at: now }).execute();
  remittanceOfA = (
    await ctx.db
      .insertInto('remittances')
      .values({ organization_id: orgA.id, employer_id: employerOfA, period_start: '2026-10-01', period_end: '2026-10-31', pay_date: null, received_on: '2026-11-02', amount_received_cents: 2500, currency: 'usd', file_name: null, file_sha256: 'x', status: 'draft', corrects_remittance_id: null, uploaded_by_staff_user_id: null, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  await ctx.db.insertInto('remittance_lines').values({ organization_id: orgA.id, remittance_id: remittanceOfA, row_number: 2, employee_number: 'E1', name: 'Ana of A', amount_cents: 2500, hours_hundredths: null, wages_cents: null, period_text: null, problem: null, member_id: null, matched_by: null, proposal_reason: null }).execute();
});
afterAll(async () => {
  await testDb.drop();
});

function samplesFromA(): Record<string, string> {
  return { staffUserId: orgA.staff.treasurer.id, role: 'treasurer', planId: planOfA, eventId: EVENT_OF_A, memberId: memberOfA, affiliateId: affiliateOfA, rateId: rateOfA, invitationId: invitationOfA, worksite: encodeURIComponent('Plant of A'), month: MONTH_CLOSED_BY_A, uploadId: uploadOfA, increaseId: increaseOfA, lineId: bankLineOfA, batchId: batchOfA, itemId: batchItemOfA, employerId: employerOfA, remittanceId: remittanceOfA, paymentId: perCapitaPaymentOfA, row: '2', version: '1' };
}

const staffRoutes = () => routeTable(testContext({} as Db)).filter((route) => route.access !== 'public');

describe('organization isolation, for every staff route in the route table', () => {
  test('the route table has staff routes to walk', () => {
    expect(staffRoutes().length).toBeGreaterThanOrEqual(6);
  });

  test.each(staffRoutes().map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
    '%s: organization B never reads or changes organization A',
    async (_name, route) => {
      const samples = samplesFromA();
      const path = route.path.replace(/:(\w+)/g, (_m, name: string) => {
        const sample = samples[name];
        if (sample === undefined) throw new Error(`no sample of organization A's ${name}: add one to samplesFromA()`);
        return sample;
      });
      // A session of its own for each route: one of them signs its caller out.
      const orgBAllRolesToken = await staffToken(ctx, { staffUserId: orgB.staff.admin.id, organizationId: orgB.id, roles: ['admin', 'treasurer', 'organizer'] });
      const before = await snapshotOf(ctx.db, orgA.id);
      // Organization A's identifiers, offered every way a caller could: in the path, the query and the body.
      const offered = { organizationId: orgA.id, organization_id: orgA.id, slug: orgA.slug, staffUserId: orgA.staff.admin.id, name: 'Renamed by B', email: 'newcomer@org-b.example.org', role: 'admin' };
      const call = request(app)[route.method](path).query({ organizationId: orgA.id, organization: orgA.slug, slug: orgA.slug }).set('Authorization', `Bearer ${orgBAllRolesToken}`);
      // Each route is offered A's identifiers in the kind of body it reads (console forms are url-encoded or multipart, files CSV).
      const res = await (route.body === 'form' ? call.type('form').send(offered) : route.body === 'upload' ? call.field(offered) : route.body === 'file' ? call.type('text/csv').send(`organizationId\n${orgA.id}\n`) : call.send(offered));

      const page = res.type === 'text/html';
      // A month or an authorization version names no one's record (each organization has its own of every month, and numbers its own versions).
      if (/:(?!(?:month|version)\b)\w+/.test(route.path)) {
        expect(res.status).toBe(404);
        // Console pages answer with an HTML "page not found"; the API with its JSON error.
        if (!page) expect(res.body.error.code).toBe('not_found');
      } else {
        expect(res.status).toBeLessThan(500);
      }
      const text = page ? res.text : JSON.stringify(res.body);
      for (const secret of [orgA.id, orgA.slug, planOfA, EVENT_OF_A, memberOfA, affiliateOfA, rateOfA, invitationOfA, 'invitee@org-a.example.org', 'new@members.org-a.example.org', 'International of A', 'ana@members.org-a.example.org', 'Deposit of A', 'Slip of A', 'Payer of A', bankLineOfA, batchOfA, ...Object.values(orgA.staff).flatMap((s) => [s.id, s.email])]) {
        expect(text).not.toContain(secret);
      }
      expect(await snapshotOf(ctx.db, orgA.id)).toBe(before);
    },
  );
});
