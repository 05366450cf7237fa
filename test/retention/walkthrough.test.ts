import { TZDate } from '@date-fns/tz';
import request from 'supertest';
import { deliverDueEmails } from '../../src/email/outbox';
import { smtpTransport, type MailTransport } from '../../src/email/transport';
import { rederiveMember } from '../../src/members/derivation';
import { runDailyRetention, type RetentionDeps } from '../../src/retention/jobs';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, type OrganizationFixture, TEST_NOW, TEST_PUBLIC_URL, testApp, testContext } from '../support/app';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

// One member through paying, a failed payment, grace, lapse, suspension and recovery, a
// local morning at a time (America/Chicago), with the mail read back from a real SMTP server.
const FROM = 'Good Standing <no-reply@gs.test>';
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let smtp: TestSmtpServer;
let transport: MailTransport;
let union: OrganizationFixture;
let deps: RetentionDeps;
let memberId: string;

const morning = (day: string) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, 8, 0, 'America/Chicago').getTime());
};
async function dayOf(day: string) {
  ctx.clock.now = morning(day);
  const report = await runDailyRetention(deps, union.id);
  await deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.clock.now });
  const mail = smtp.received.splice(0);
  return { report, mail };
}
const member = () => ctx.db.selectFrom('members').selectAll().where('id', '=', memberId).executeTakeFirstOrThrow();
const episodes = () => ctx.db.selectFrom('lapse_episodes').select(['opened_on', 'closed_on', 'close_reason']).where('member_id', '=', memberId).orderBy('opened_on').execute();
const signals = () => ctx.db.selectFrom('retention_signals').select(['signal', 'detected_on']).where('member_id', '=', memberId).orderBy('id').execute();

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  smtp = await startTestSmtpServer();
  transport = smtpTransport(smtp.url);
  union = await createOrganizationWithStaff(ctx, 'local-7');
  deps = { db: ctx.db, publicUrl: TEST_PUBLIC_URL, now: () => ctx.clock.now, notifyOutbox: () => undefined };
  await request(app)
    .patch('/api/retention/policy')
    .set('Authorization', `Bearer ${union.staff.admin.token}`)
    .send({ arrangementKeepsGoodStanding: false, contact: { name: 'Rosa Díaz', phone: '+1 312 555 0100' } })
    .expect(200);
  const created = await request(app)
    .post('/api/members')
    .set('Authorization', `Bearer ${union.staff.admin.token}`)
    .send({ name: 'María López', email: 'maria@example.org', phone: '+1 312 555 0199', preferredLanguage: 'es', worksite: 'Mercy Hospital', organizerStaffUserId: union.staff.organizer.id, standing: 'active' })
    .expect(201);
  memberId = created.body.id;
  // What the webhooks mirror after her first paid invoice: a live subscription, paid through January.
  await ctx.db.updateTable('members').set({ paid_through: '2026-01-31', stripe_customer_id: 'cus_maria' }).where('id', '=', memberId).execute();
  await ctx.db.insertInto('stripe_subscriptions').values({ organization_id: union.id, id: 'sub_maria', member_id: memberId, customer_id: 'cus_maria', status: 'active', cancel_at_period_end: false, collection_paused: false, updated_at: TEST_NOW }).execute();
  await ctx.db
    .insertInto('stripe_invoices')
    .values({ organization_id: union.id, id: 'in_jan', member_id: memberId, subscription_id: 'sub_maria', status: 'paid', currency: 'usd', amount_due: 2500, amount_paid: 2500, period_start: '2026-01-01', period_end: '2026-01-31', attempt_count: 1, paid_at: new Date('2026-01-01T15:00:00Z'), updated_at: TEST_NOW })
    .execute();
});
afterAll(async () => {
  transport.close();
  await smtp.close();
  await testDb.drop();
});

describe('a member from paying to suspension and back', () => {
  test('paying: the scan changes nothing, sends nothing', async () => {
    const { report, mail } = await dayOf('2026-01-20');
    expect(report.scan).toMatchObject({ ran: true, standingChanges: 0, signals: 0 });
    expect(report).toMatchObject({ notices: 0, digests: 0 });
    expect(mail).toEqual([]);
    expect((await member()).standing).toBe('active');
  });

  test('a failed renewal: past due, a notice in Spanish with the manage link, the organizer told', async () => {
    // As the webhook leaves it: the February invoice open after one attempt, the member derived past due.
    await ctx.db
      .insertInto('stripe_invoices')
      .values({ organization_id: union.id, id: 'in_feb', member_id: memberId, subscription_id: 'sub_maria', status: 'open', currency: 'usd', amount_due: 2500, amount_paid: 0, period_start: '2026-02-01', period_end: '2026-02-28', attempt_count: 1, updated_at: TEST_NOW })
      .execute();
    ctx.clock.now = morning('2026-02-01');
    await ctx.db.transaction().execute((trx) => rederiveMember(trx, { organizationId: union.id, memberId, cause: 'stripe_event', causeReference: 'evt_failed' }, ctx.clock.now));
    expect((await member()).standing).toBe('past_due');

    const { report, mail } = await dayOf('2026-02-02');
    expect(report).toMatchObject({ notices: 1, digests: 1, digestItems: 1 });
    expect((await member()).standing).toBe('past_due');
    expect(await signals()).toEqual([{ signal: 'payment_failed', detected_on: '2026-02-02' }]);

    const notice = mail.find((m) => m.subject?.startsWith('No se pudo cobrar'))!;
    expect(notice.to).toMatchObject({ text: 'maria@example.org' });
    expect(notice.text).toContain('Hola María López');
    expect(notice.text).toContain(`${TEST_PUBLIC_URL}/join/local-7/manage`);
    expect(notice.text).toContain('Rosa Díaz (+1 312 555 0100)');

    const digest = mail.find((m) => m.subject?.includes('to call'))!;
    expect(digest.to).toMatchObject({ text: union.staff.organizer.email });
    expect(digest.text).toContain('Mercy Hospital (1)');
    expect(digest.text).toContain('María López — Payment failed, being retried');
    expect(digest.text).toContain('Phone: +1 312 555 0199');
    expect(digest.text).toContain('Speaks: Spanish');
    expect(digest.text).toContain('Last payment: 2026-01-01');
    expect(digest.text).toContain(`${TEST_PUBLIC_URL}/console/members/${memberId}`);
    expect(mail).toHaveLength(2);
  });

  test('the same day again, from any instance: nothing', async () => {
    const { report, mail } = await dayOf('2026-02-02');
    expect(report.scan.ran).toBe(false);
    expect(mail).toEqual([]);
  });

  test('retries during grace: no new alert for the same invoice', async () => {
    await ctx.db.updateTable('stripe_invoices').set({ attempt_count: 3 }).where('id', '=', 'in_feb').execute();
    const { report, mail } = await dayOf('2026-02-15');
    expect(report).toMatchObject({ notices: 0, digests: 0 });
    expect(mail).toEqual([]);
    expect((await member()).standing).toBe('past_due');
  });

  test('the last day of grace is still grace; the next morning she is lapsed and her organizer gets one digest naming her', async () => {
    expect((await dayOf('2026-03-03')).mail).toEqual([]);
    expect((await member()).standing).toBe('past_due');

    const { report, mail } = await dayOf('2026-03-04');
    expect(report.scan).toMatchObject({ standingChanges: 1, episodesOpened: 1 });
    expect((await member()).standing).toBe('lapsed');
    expect(await episodes()).toEqual([{ opened_on: '2026-03-04', closed_on: null, close_reason: null }]);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toMatchObject({ text: union.staff.organizer.email });
    expect(mail[0]!.text).toContain('María López — Lapsed: grace period over');
    expect(mail[0]!.text).toContain('Months in arrears: 2');
  });

  test('the organizer records the call', async () => {
    const res = await request(app)
      .post(`/api/members/${memberId}/outreach`)
      .set('Authorization', `Bearer ${union.staff.organizer.token}`)
      .send({ channel: 'call', outcome: 'reached', note: 'New card coming, will update this week', followUpOn: '2026-03-10' })
      .expect(201);
    expect(res.body).toMatchObject({ outcome: 'reached', contactedOn: '2026-03-04', memberStanding: 'lapsed' });
    expect(res.body.episodeId).toEqual(expect.any(String));
  });

  test('a week before suspension, a notice to her (no digest: nothing new for the organizer)', async () => {
    const { report, mail } = await dayOf('2026-03-26');
    expect(report).toMatchObject({ notices: 1, digests: 0 });
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe('Su membresía en local-7 union: cuotas atrasadas');
    expect(mail[0]!.text).toContain('se suspende el 2026-04-01');
  });

  test('three months owed: suspended, recorded with its cause, the organizer told', async () => {
    const { mail } = await dayOf('2026-04-01');
    expect((await member()).standing).toBe('suspended');
    expect(mail.map((m) => m.text ?? '').join()).toContain('María López — Suspended for unpaid dues');
    expect(await episodes()).toHaveLength(1);
  });

  test('she pays the arrears: reinstated the next morning, the episode closed as recovered', async () => {
    // As the webhooks leave it: invoices paid, paid through April; suspension kept for the scan to lift.
    await ctx.db.updateTable('stripe_invoices').set({ status: 'paid', amount_paid: 2500, paid_at: new Date('2026-04-01T20:00:00Z') }).where('id', '=', 'in_feb').execute();
    await ctx.db.updateTable('members').set({ paid_through: '2026-04-30' }).where('id', '=', memberId).execute();
    const { report, mail } = await dayOf('2026-04-02');
    expect(report.scan).toMatchObject({ standingChanges: 1, episodesClosed: 1 });
    expect(mail).toEqual([]);
    expect((await member()).standing).toBe('active');
    expect(await episodes()).toEqual([{ opened_on: '2026-03-04', closed_on: '2026-04-02', close_reason: 'recovered' }]);

    const history = await ctx.db.selectFrom('member_standing_changes').select(['from_standing', 'to_standing', 'cause', 'cause_reference']).where('member_id', '=', memberId).orderBy('id').execute();
    expect(history).toEqual([
      { from_standing: null, to_standing: 'active', cause: 'created_by_staff', cause_reference: null },
      { from_standing: 'active', to_standing: 'past_due', cause: 'stripe_event', cause_reference: 'evt_failed' },
      { from_standing: 'past_due', to_standing: 'lapsed', cause: 'lapse_scan', cause_reference: 'grace_ended' },
      { from_standing: 'lapsed', to_standing: 'suspended', cause: 'lapse_scan', cause_reference: 'months_owed_suspend' },
      { from_standing: 'suspended', to_standing: 'active', cause: 'lapse_scan', cause_reference: 'paid_up' },
    ]);
  });

  test('the metrics show the lapse, the call and the recovery', async () => {
    const march = await request(app).get('/api/retention/metrics?month=2026-03').set('Authorization', `Bearer ${union.staff.organizer.token}`).expect(200);
    expect(march.body.organization).toMatchObject({ lapsed: 1, recovered: 0, recoveryRate: 1, outreach: { contacts: 1, reached: 1 } });
    expect(march.body.byWorksite).toEqual([expect.objectContaining({ worksite: 'Mercy Hospital', lapsed: 1 })]);
    expect(march.body.byOrganizer).toEqual([expect.objectContaining({ organizerStaffUserId: union.staff.organizer.id, lapsed: 1 })]);
    const april = await request(app).get('/api/retention/metrics?month=2026-04').set('Authorization', `Bearer ${union.staff.organizer.token}`).expect(200);
    expect(april.body.organization).toMatchObject({ lapsed: 0, recovered: 1, recoveryRate: null, medianDaysToRecovery: 29 });
  });
});
