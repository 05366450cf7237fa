import request from 'supertest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { Database } from '../db/database';
import type PgBoss from 'pg-boss';
import pino from 'pino';
import { deliverDueEmails, enqueueEmail, MAX_ATTEMPTS, retryDelaySeconds } from '../src/email/outbox';
import { smtpTransport, type MailTransport } from '../src/email/transport';
import { startEmailWorker } from '../src/email/worker';
import { startJobs } from '../src/jobs/boss';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createOrganizationWithStaff, testApp, testContext, type OrganizationFixture } from './support/app';
import { startTestSmtpServer, type TestSmtpServer } from './support/smtp';

const FROM = 'Good Standing <no-reply@gs.test>';
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let smtp: TestSmtpServer;
let transport: MailTransport;
let union: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  smtp = await startTestSmtpServer();
  transport = smtpTransport(smtp.url);
  union = await createOrganizationWithStaff(ctx, 'local-200');
});
afterAll(async () => {
  transport.close();
  await smtp.close();
  await testDb.drop();
});
beforeEach(async () => {
  smtp.received.length = 0;
  smtp.refusing = false;
  await ctx.db.deleteFrom('email_outbox').execute();
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the email outbox', () => {
  test('a sign-in email reaches a real SMTP server with a plain-text and an HTML part carrying the same link', async () => {
    await request(testApp(ctx)).post('/auth/login').send({ email: union.staff.admin.email }).expect(202);
    const report = await deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.now() });
    expect(report).toEqual({ sent: 1, failed: 0 });

    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toMatchObject({ text: union.staff.admin.email });
    expect(mail.subject).toBe('Sign in to Good Standing for local-200 union');
    const link = /http:\/\/gs\.test\/auth\/callback\?token=[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
    expect(link).toBeDefined();
    expect(mail.html).toContain(link);

    const row = await ctx.db.selectFrom('email_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(row.message_id).toBe(mail.messageId);
  });

  test('while SMTP refuses, the message waits in the outbox; after it recovers it is delivered exactly once', async () => {
    await enqueueEmail(ctx.db, { organizationId: union.id, kind: 'test', to: 'member@example.org', subject: 'Dues reminder', text: 'Hello', html: '<p>Hello</p>', queuedAt: ctx.now() });
    smtp.refusing = true;
    let now = ctx.now();
    expect(await deliverDueEmails(ctx.db, transport, { from: FROM, now })).toEqual({ sent: 0, failed: 1 });
    let row = await ctx.db.selectFrom('email_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.last_error).toMatch(/451/);
    expect(row.next_attempt_at.getTime()).toBe(now.getTime() + retryDelaySeconds(1) * 1000);

    // Not due yet: nothing is tried before the back-off has passed.
    expect(await deliverDueEmails(ctx.db, transport, { from: FROM, now })).toEqual({ sent: 0, failed: 0 });

    now = new Date(now.getTime() + 60_000);
    expect(await deliverDueEmails(ctx.db, transport, { from: FROM, now })).toEqual({ sent: 0, failed: 1 });

    smtp.refusing = false;
    now = new Date(now.getTime() + 3600_000);
    expect(await deliverDueEmails(ctx.db, transport, { from: FROM, now })).toEqual({ sent: 1, failed: 0 });
    expect(await deliverDueEmails(ctx.db, transport, { from: FROM, now: new Date(now.getTime() + 86_400_000) })).toEqual({ sent: 0, failed: 0 });

    expect(smtp.received.map((m) => m.subject)).toEqual(['Dues reminder']);
    row = await ctx.db.selectFrom('email_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
  });

  test('after the last attempt a message is parked as failed, not retried for ever', async () => {
    await enqueueEmail(ctx.db, { organizationId: union.id, kind: 'test', to: 'x@example.org', subject: 'Never', text: 't', html: '<p>t</p>', queuedAt: ctx.now() });
    await ctx.db.updateTable('email_outbox').set({ attempts: MAX_ATTEMPTS - 1 }).execute();
    smtp.refusing = true;
    await deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.now() });
    const row = await ctx.db.selectFrom('email_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
  });

  test('a sender that dies after the SMTP server accepted 5 of 20 messages: the next run repeats at most the one in flight', async () => {
    for (let i = 0; i < 20; i += 1) {
      await enqueueEmail(ctx.db, { organizationId: union.id, kind: 'test', to: `c${i}@example.org`, subject: `Crash ${i}`, text: 't', html: '<p>t</p>', queuedAt: ctx.now() });
    }
    // The dying sender's own connection: its backend is terminated, as a killed process's would be.
    const pool = new Pool({ connectionString: testDb.url, max: 1 });
    // The lost connection is the point: its errors are expected, not the test's failure.
    pool.on('connect', (client) => client.on('error', () => undefined));
    pool.on('error', () => undefined);
    const doomed = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(doomed);
    let accepted = 0;
    const dying: MailTransport = {
      description: 'a sender that dies',
      async send(message) {
        const sent = await transport.send(message);
        accepted += 1;
        if (accepted === 5) {
          await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(ctx.db);
          throw new Error('the process died');
        }
        return sent;
      },
      close: () => undefined,
    };
    await expect(deliverDueEmails(doomed, dying, { from: FROM, now: ctx.now() })).rejects.toThrow();
    await doomed.destroy().catch(() => undefined);
    expect(smtp.received).toHaveLength(5);

    await deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.now() });
    const deliveries = smtp.received.map((m) => m.subject ?? '');
    const repeated = deliveries.length - new Set(deliveries).size;
    expect(new Set(deliveries).size).toBe(20);
    expect(repeated).toBeLessThanOrEqual(1);
    process.stdout.write(`email crash after 5 accepted of 20: ${repeated} delivered twice\n`);
  });

  test('two senders working the same outbox at once send each message once', async () => {
    for (let i = 0; i < 30; i += 1) {
      await enqueueEmail(ctx.db, { organizationId: union.id, kind: 'test', to: `m${i}@example.org`, subject: `Message ${i}`, text: 't', html: '<p>t</p>', queuedAt: ctx.now() });
    }
    const second = smtpTransport(smtp.url);
    try {
      const reports = await Promise.all([
        deliverDueEmails(ctx.db, transport, { from: FROM, now: ctx.now() }),
        deliverDueEmails(ctx.db, second, { from: FROM, now: ctx.now() }),
      ]);
      expect(reports[0].sent + reports[1].sent).toBe(30);
    } finally {
      second.close();
    }
    expect(smtp.received).toHaveLength(30);
    expect(new Set(smtp.received.map((m) => m.subject)).size).toBe(30);
  });

  test('the pg-boss worker delivers a queued sign-in email without anyone calling the sender', async () => {
    let boss: PgBoss | undefined;
    try {
      boss = await startJobs(testDb.url, pino({ level: 'silent' }));
      const worker = await startEmailWorker(boss, ctx.db, transport, { from: FROM, logger: pino({ level: 'silent' }), now: () => new Date() });
      const app = testApp({ ...ctx, now: () => new Date(), notifyOutbox: () => worker.notify() });
      await request(app).post('/auth/login').send({ email: union.staff.organizer.email }).expect(202);
      await waitFor(() => smtp.received.length === 1, 'the worker to deliver the sign-in email');
      expect(smtp.received[0]!.to).toMatchObject({ text: union.staff.organizer.email });
    } finally {
      await boss?.stop({ graceful: true, wait: true, timeout: 5000 });
    }
  });
});
