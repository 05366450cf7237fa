import { TZDate } from '@date-fns/tz';
import pino from 'pino';
import type { ParsedMail } from 'mailparser';
import { createDb } from '../../db/connection';
import { deliverDueEmails } from '../../src/email/outbox';
import { smtpTransport, type MailTransport } from '../../src/email/transport';
import { revokeRole, upsertStaffUser, grantRole } from '../../src/staff/queries';
import { retentionTick, runDailyRetention, sweepPaymentFailures, type RetentionDeps } from '../../src/retention/jobs';
import { savePolicy } from '../../src/retention/queries';
import { DEFAULT_POLICY } from '../../src/retention/policy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, TEST_NOW, TEST_PUBLIC_URL, testContext } from '../support/app';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

const FROM = 'Good Standing <no-reply@gs.test>';
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let smtp: TestSmtpServer;
let transport: MailTransport;
let union: OrganizationFixture;
let deps: RetentionDeps;
let secondOrganizer: { id: string; email: string };
let formerOrganizer: { id: string; email: string };

const chicago = (day: string, hour: number) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, hour, 0, 'America/Chicago').getTime());
};
const byRecipient = (mail: ParsedMail[]) => new Map(mail.map((m) => [(m.to as { text: string }).text, m]));
async function addMember(name: string, fields: { worksite?: string; organizer?: string | null; paidThrough?: string }) {
  const row = await ctx.db
    .insertInto('members')
    .values({
      organization_id: union.id,
      name,
      email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.org`,
      phone: '+1 555 0100',
      worksite: fields.worksite ?? null,
      organizer_staff_user_id: fields.organizer ?? null,
      standing: 'active',
      paid_through: fields.paidThrough ?? '2026-01-31',
      ...memberTimes(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  smtp = await startTestSmtpServer();
  transport = smtpTransport(smtp.url);
  union = await createOrganizationWithStaff(ctx, 'local-88');
  deps = { db: ctx.db, publicUrl: TEST_PUBLIC_URL, now: () => ctx.clock.now, notifyOutbox: () => undefined };
  secondOrganizer = await upsertStaffUser(ctx.db, { email: 'second.organizer@local-88.example.org', name: 'Second Organizer' }, TEST_NOW);
  await grantRole(ctx.db, union.id, secondOrganizer.id, 'organizer', TEST_NOW);
  formerOrganizer = await upsertStaffUser(ctx.db, { email: 'former.organizer@local-88.example.org', name: 'Former Organizer' }, TEST_NOW);
  await grantRole(ctx.db, union.id, formerOrganizer.id, 'organizer', TEST_NOW);
  await savePolicy(ctx.db, union.id, { ...DEFAULT_POLICY, alertEmails: ['alerts@local-88.example.org'], notices: { paymentFailed: false, cardExpiring: false, beforeSuspension: false } }, union.staff.admin.id, TEST_NOW);
  await ctx.db.insertInto('worksite_organizers').values({ organization_id: union.id, worksite: 'Cold Storage', organizer_staff_user_id: secondOrganizer.id, updated_at: TEST_NOW }).execute();

  await addMember('Ana Assigned', { worksite: 'Dock 4', organizer: union.staff.organizer.id });
  await addMember('Bea Worksite', { worksite: 'Cold Storage' });
  await addMember('Cal Nowhere', { worksite: 'Unknown Yard' });
  await addMember('Dee Formerly', { worksite: 'Cold Storage', organizer: formerOrganizer.id });
  await addMember('Eve Second', { worksite: 'Loading Bay', organizer: secondOrganizer.id });
  await addMember('Fay Paid', { worksite: 'Dock 4', organizer: union.staff.organizer.id, paidThrough: '2026-12-31' });
  // The former organizer leaves: their members fall to the worksite's organizer.
  await revokeRole(ctx.db, union.id, formerOrganizer.id, 'organizer');
});
afterAll(async () => {
  transport.close();
  await smtp.close();
  await testDb.drop();
});

describe('organizer digests', () => {
  test('before the local hour nothing runs; at it, each organizer gets one digest of their members, grouped by worksite', async () => {
    ctx.clock.now = chicago('2026-03-10', 6);
    expect(await retentionTick(deps, pino({ level: 'silent' }))).toEqual([]);

    ctx.clock.now = chicago('2026-03-10', 7);
    const [report] = await retentionTick(deps, pino({ level: 'silent' }));
    expect(report).toMatchObject({ digests: 3, digestItems: 5, scan: { standingChanges: 5, episodesOpened: 5 } });
    await deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.clock.now });
    const mail = byRecipient(smtp.received.splice(0));
    expect([...mail.keys()].sort()).toEqual(['alerts@local-88.example.org', union.staff.organizer.email, secondOrganizer.email].sort());

    const first = mail.get(union.staff.organizer.email)!;
    expect(first.subject).toBe('local-88 union: 1 member to call (2026-03-10)');
    expect(first.text).toContain('Hello organizer of local-88');
    expect(first.text).toContain('Dock 4 (1)');
    expect(first.text).toContain('Ana Assigned — Lapsed: grace period over');
    expect(first.text).not.toContain('Fay Paid');

    const second = mail.get(secondOrganizer.email)!;
    expect(second.subject).toBe('local-88 union: 3 members to call (2026-03-10)');
    const text = second.text ?? '';
    expect(text.indexOf('Cold Storage (2)')).toBeLessThan(text.indexOf('Loading Bay (1)'));
    expect(text).toMatch(/Cold Storage \(2\)\n\nBea Worksite[^]*Dee Formerly[^]*Loading Bay \(1\)\n\nEve Second/);
    expect(second.html).toContain('Bea Worksite');

    const alerts = mail.get('alerts@local-88.example.org')!;
    expect(alerts.text).toContain('Unknown Yard (1)');
    expect(alerts.text).toContain('Cal Nowhere');
  });

  test('a later tick, a retry or a second instance the same day sends nothing; so does a day with nothing new', async () => {
    ctx.clock.now = chicago('2026-03-10', 9);
    expect(await retentionTick(deps, pino({ level: 'silent' }))).toEqual([]);
    ctx.clock.now = chicago('2026-03-11', 7);
    const [report] = await retentionTick(deps, pino({ level: 'silent' }));
    expect(report).toMatchObject({ scan: { ran: true, signals: 0 }, digests: 0 });
    await deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.clock.now });
    expect(smtp.received).toEqual([]);
  });

  test('two workers scanning at once: one scan, each alert once', async () => {
    await ctx.db.updateTable('members').set({ paid_through: '2026-01-15' }).where('name', '=', 'Fay Paid').execute();
    ctx.clock.now = chicago('2026-03-12', 7);
    const otherDb = createDb(testDb.url, { max: 2 });
    try {
      const reports = await Promise.all([runDailyRetention(deps, union.id), runDailyRetention({ ...deps, db: otherDb }, union.id)]);
      expect(reports.map((r) => r.scan.ran).sort()).toEqual([false, true]);
    } finally {
      await otherDb.destroy();
    }
    await deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.clock.now });
    const mail = smtp.received.splice(0);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain('Fay Paid');
    const lapses = await ctx.db.selectFrom('retention_signals').select(({ fn }) => [fn.countAll<number>().as('n')]).where('signal', '=', 'lapsed').executeTakeFirstOrThrow();
    expect(lapses.n).toBe(6);
  });

  test('SMTP refusing for a while loses nothing and duplicates nothing', async () => {
    await savePolicy(ctx.db, union.id, { ...DEFAULT_POLICY, alertEmails: ['alerts@local-88.example.org'], immediateFailureAlert: true }, union.staff.admin.id, TEST_NOW);
    const anaId = (await ctx.db.selectFrom('members').select('id').where('name', '=', 'Ana Assigned').executeTakeFirstOrThrow()).id;
    await ctx.db.updateTable('members').set({ paid_through: '2026-03-31', standing: 'active' }).where('id', '=', anaId).execute();
    await ctx.db.insertInto('stripe_subscriptions').values({ organization_id: union.id, id: 'sub_ana', member_id: anaId, customer_id: 'cus_ana', status: 'past_due', cancel_at_period_end: false, collection_paused: false, updated_at: TEST_NOW }).execute();
    await ctx.db.insertInto('stripe_invoices').values({ organization_id: union.id, id: 'in_ana_apr', member_id: anaId, status: 'open', currency: 'usd', amount_due: 2500, amount_paid: 0, attempt_count: 1, updated_at: TEST_NOW }).execute();

    smtp.refusing = true;
    // Between daily scans, the sweep finds the failure: her notice and the organizer's immediate alert.
    ctx.clock.now = chicago('2026-04-01', 10);
    expect(await sweepPaymentFailures(deps, (await ctx.db.selectFrom('organizations').selectAll().where('id', '=', union.id).executeTakeFirstOrThrow()))).toBe(2);
    expect(await deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.clock.now })).toEqual({ sent: 0, failed: 2 });
    // The next day's scan (the others reach three months owed: suspended) and a retry of it while SMTP is still down add one digest per organizer.
    ctx.clock.now = chicago('2026-04-02', 7);
    await retentionTick(deps, pino({ level: 'silent' }));
    await retentionTick(deps, pino({ level: 'silent' }));
    expect(await deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.clock.now })).toEqual({ sent: 0, failed: 5 });
    expect(smtp.received).toEqual([]);

    smtp.refusing = false;
    ctx.clock.now = chicago('2026-04-02', 12);
    expect(await deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.clock.now })).toEqual({ sent: 5, failed: 0 });
    expect(await deliverDueEmails(ctx.db, transport, { from: FROM, now: chicago('2026-04-03', 12) })).toEqual({ sent: 0, failed: 0 });
    const subjects = smtp.received.splice(0).map((m) => `${(m.to as { text: string }).text}: ${m.subject}`).sort();
    expect(subjects).toEqual(
      [
        'ana.assigned@example.org: Your dues payment to local-88 union did not go through',
        `${union.staff.organizer.email}: local-88 union: Ana Assigned's dues payment failed`,
        `${union.staff.organizer.email}: local-88 union: 2 members to call (2026-04-02)`,
        `${secondOrganizer.email}: local-88 union: 3 members to call (2026-04-02)`,
        'alerts@local-88.example.org: local-88 union: 1 member to call (2026-04-02)',
      ].sort(),
    );
  });
});
