import request from 'supertest';
import type { Express } from 'express';
import type { Db } from '../../db/connection';
import type { Language, Standing, StaffRole } from '../../db/database';
import { SESSION_COOKIE } from '../../src/auth/guard';
import { recordManualPayment } from '../../src/members/payments';
import { createOrganizationWithStaff, staffToken, testApp, testContext, type OrganizationFixture } from '../support/app';
import { createTestDatabase } from '../support/database';
import type { AppContext } from '../../src/context';
import { insertPlan, FLAT_25_MONTHLY } from '../members/fixtures';
import { seedConsoleBooks } from './books-fixtures';

// An organization the console has something to show for, on the suite's clock
// (2026-11-24, America/Chicago): members in every standing that gets a call, signals,
// lapses, outreach, a manual payment, a signed authorization, and a page's worth of others.

export interface ConsoleFixture {
  org: OrganizationFixture;
  organizationName: string;
  planId: string;
  members: Record<'rosa' | 'marcus' | 'ana' | 'tom' | 'lucia' | 'pat' | 'jo', string>;
}

interface Person {
  key: keyof ConsoleFixture['members'];
  name: string;
  email: string;
  phone: string | null;
  language: Language;
  worksite: string | null;
  standing: Standing;
  paidThrough: string | null;
  organizer: 'organizer' | 'admin' | null;
  since: string;
}

const PEOPLE: Person[] = [
  { key: 'rosa', name: 'Rosa Díaz', email: 'rosa@example.org', phone: '(312) 555-0142', language: 'es', worksite: 'Dock 4', standing: 'lapsed', paidThrough: '2026-09-30', organizer: 'organizer', since: '2026-11-01T13:00:00Z' },
  { key: 'marcus', name: 'Marcus Lee', email: 'marcus@example.org', phone: '312.555.0177', language: 'en', worksite: 'Dock 4', standing: 'active', paidThrough: '2026-10-31', organizer: 'organizer', since: '2026-03-01T13:00:00Z' },
  { key: 'ana', name: 'Ana Morales', email: 'ana@example.org', phone: '+1 773 555 0100', language: 'es', worksite: 'Warehouse 9', standing: 'suspended', paidThrough: '2026-07-31', organizer: null, since: '2026-10-31T13:00:00Z' },
  { key: 'tom', name: 'Tom Baker', email: 'tom@example.org', phone: null, language: 'en', worksite: 'Warehouse 9', standing: 'past_due', paidThrough: '2026-10-31', organizer: 'admin', since: '2026-11-01T13:00:00Z' },
  { key: 'lucia', name: 'Lucía Fernández', email: 'lucia@example.org', phone: '312-555-0199', language: 'es', worksite: 'Dock 4', standing: 'active', paidThrough: '2026-12-31', organizer: 'organizer', since: '2026-02-01T13:00:00Z' },
  { key: 'pat', name: 'Pat Kim', email: 'pat@example.org', phone: '312 555 0123', language: 'en', worksite: null, standing: 'pending', paidThrough: null, organizer: null, since: '2026-11-20T13:00:00Z' },
  { key: 'jo', name: 'Jo Rivera', email: 'jo@example.org', phone: '312 555 0164', language: 'en', worksite: 'Dock 4', standing: 'lapsed', paidThrough: '2026-09-30', organizer: 'organizer', since: '2026-11-01T13:00:00Z' },
];

export const FILLER_MEMBERS = 60;

export async function seedConsoleOrganization(ctx: AppContext, slug: string): Promise<ConsoleFixture> {
  const db: Db = ctx.db;
  const now = ctx.now();
  const org = await createOrganizationWithStaff(ctx, slug);
  const planId = await insertPlan(db, org.id, { name: 'Regular monthly', rule: FLAT_25_MONTHLY });
  const members = {} as ConsoleFixture['members'];
  for (const person of PEOPLE) {
    const since = new Date(person.since);
    const row = await db
      .insertInto('members')
      .values({
        organization_id: org.id,
        name: person.name,
        email: person.email,
        phone: person.phone,
        preferred_language: person.language,
        worksite: person.worksite,
        employer: 'Acme Logistics',
        organizer_staff_user_id: person.organizer === null ? null : org.staff[person.organizer].id,
        external_id: `M-${1000 + PEOPLE.indexOf(person)}`,
        plan_id: planId,
        wage_facts: '{}',
        joined_on: '2025-06-01',
        paid_through: person.paidThrough,
        standing: person.standing,
        standing_changed_at: since,
        created_at: new Date('2025-06-01T15:00:00Z'),
        updated_at: since,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    members[person.key] = row.id;
    await db
      .insertInto('member_standing_changes')
      .values([
        { organization_id: org.id, member_id: row.id, from_standing: null, to_standing: 'active', cause: 'import', cause_reference: null, staff_user_id: null, created_at: new Date('2025-06-01T15:00:00Z') },
        ...(person.standing === 'active'
          ? []
          : [{ organization_id: org.id, member_id: row.id, from_standing: 'active' as Standing, to_standing: person.standing, cause: 'lapse_scan', cause_reference: 'grace_ended', staff_user_id: null, created_at: since }]),
      ])
      .execute();
  }
  await db
    .insertInto('members')
    .values(
      Array.from({ length: FILLER_MEMBERS }, (_, i) => ({
        organization_id: org.id,
        name: `Zed Member ${String(i + 1).padStart(3, '0')}`,
        email: `member${i + 1}@example.org`,
        phone: `312555${String(1000 + i)}`,
        worksite: 'Front Office',
        plan_id: planId,
        wage_facts: '{}',
        paid_through: '2026-12-31',
        standing: 'active' as Standing,
        standing_changed_at: new Date('2026-01-01T15:00:00Z'),
        created_at: new Date('2026-01-01T15:00:00Z'),
        updated_at: new Date('2026-01-01T15:00:00Z'),
      })),
    )
    .execute();

  await db.insertInto('worksite_organizers').values({ organization_id: org.id, worksite: 'Warehouse 9', organizer_staff_user_id: org.staff.organizer.id, updated_at: now }).execute();

  // Lapses of this month (one recovered), so the recovery figures have something to say.
  for (const [key, opened, closed] of [
    ['rosa', '2026-11-01', null],
    ['jo', '2026-11-01', null],
    ['ana', '2026-09-01', null],
    ['lucia', '2026-11-02', '2026-11-10'],
  ] as const) {
    await db
      .insertInto('lapse_episodes')
      .values({ organization_id: org.id, member_id: members[key], opened_on: opened, closed_on: closed, close_reason: closed ? 'recovered' : null, worksite: 'Dock 4', organizer_staff_user_id: org.staff.organizer.id, created_at: now })
      .execute();
  }

  const signal = (key: keyof ConsoleFixture['members'], kind: string, signalKey: string, detectedOn: string, months: number) => ({
    organization_id: org.id,
    member_id: members[key],
    signal: kind,
    signal_key: signalKey,
    detected_on: detectedOn,
    reason: kind,
    months_in_arrears: months,
    created_at: now,
  });
  await db
    .insertInto('retention_signals')
    .values([
      signal('rosa', 'lapsed', 'episode-rosa', '2026-11-01', 2),
      signal('marcus', 'payment_failed', 'in_marcus_1', '2026-11-20', 0),
      signal('jo', 'suspension_coming', '2026-12-01', '2026-11-24', 2),
    ])
    .execute();
  await db
    .insertInto('stripe_invoices')
    .values({ organization_id: org.id, id: 'in_marcus_1', member_id: members.marcus, subscription_id: null, status: 'open', currency: 'usd', amount_due: 2500, amount_paid: 0, period_start: '2026-11-01', period_end: '2026-11-30', attempt_count: 2, paid_at: null, updated_at: now })
    .execute();

  await db
    .insertInto('outreach_log')
    .values({ organization_id: org.id, member_id: members.rosa, staff_user_id: org.staff.organizer.id, episode_id: null, channel: 'call', outcome: 'left_message', note: 'Voicemail; will try after her shift', follow_up_on: null, contacted_on: '2026-11-20', created_at: new Date('2026-11-20T18:00:00Z') })
    .execute();

  await db.transaction().execute((trx) =>
    recordManualPayment(trx, {
      organizationId: org.id,
      memberId: members.rosa,
      currency: 'usd',
      receivedOn: '2026-09-05',
      staffUserId: org.staff.treasurer.id,
      at: new Date('2026-09-05T15:00:00Z'),
      payment: { method: 'cash', amountCents: 2500, periodStart: '2026-09-01', periodEnd: '2026-09-30' },
    }),
  );
  // The payment was September's: Rosa lapsed after it, as the daily scan found on Nov 1.
  await db.deleteFrom('member_standing_changes').where('member_id', '=', members.rosa).where('cause', '=', 'manual_payment').execute();
  await db.updateTable('members').set({ standing: 'lapsed', standing_changed_at: new Date('2026-11-01T13:00:00Z') }).where('id', '=', members.rosa).execute();
  await db
    .insertInto('dues_authorizations')
    .values({ organization_id: org.id, version: 1, language: 'es', text: 'Autorizo…', created_at: new Date('2026-01-01T15:00:00Z') })
    .execute();
  await db
    .insertInto('signup_consents')
    .values([
      { organization_id: org.id, member_id: members.lucia, authorization_version: 1, language: 'es', plan_id: planId, dues_cents: 2500, payment_method: 'us_bank_account', accepted_at: new Date('2026-02-01T16:00:00Z'), ip: null, user_agent: null, checkout_session_id: 'cs_lucia' },
      { organization_id: org.id, member_id: members.pat, authorization_version: 1, language: 'es', plan_id: planId, dues_cents: 2500, payment_method: 'card', accepted_at: new Date('2026-11-20T16:00:00Z'), ip: null, user_agent: null, checkout_session_id: 'cs_pat' },
    ])
    .execute();
  const organization = await db.selectFrom('organizations').select('name').where('id', '=', org.id).executeTakeFirstOrThrow();
  return { org, organizationName: organization.name, planId, members };
}

/** A browser-like session: the session cookie for a staff member, as signing in from the email link sets it. */
export async function sessionCookie(ctx: AppContext, organizationId: string, staffUserId: string): Promise<string> {
  return `${SESSION_COOKIE}=${await staffToken(ctx, { staffUserId, organizationId }, 3600)}`;
}

/** supertest calls with a session cookie, and the CSRF token read from a console page as a browser would. */
export function browserAs(app: Express, cookie: string) {
  return {
    get: (path: string) => request(app).get(path).set('Cookie', cookie).set('Accept', 'text/html'),
    post: (path: string, form: Record<string, string>) => request(app).post(path).set('Cookie', cookie).type('form').send(form),
    async csrf(path = '/console/members'): Promise<string> {
      const page = await request(app).get(path).set('Cookie', cookie);
      const token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
      if (!token) throw new Error(`no CSRF token on ${path} (status ${page.status})`);
      return token;
    },
  };
}

/**
 * A console test's world: its own database and app, what `setUp` makes there, and a
 * session cookie for each role of the organization `organizationOf` names in it.
 */
export async function consoleTestWorld<T>(setUp: (ctx: ReturnType<typeof testContext>) => Promise<T>, organizationOf: (made: T) => OrganizationFixture) {
  const testDb = await createTestDatabase();
  const ctx = testContext(testDb.db);
  const app = testApp(ctx);
  const made = await setUp(ctx);
  const organization = organizationOf(made);
  const cookies: Record<StaffRole, string> = { admin: '', treasurer: '', organizer: '' };
  for (const role of ['admin', 'treasurer', 'organizer'] as const) cookies[role] = await sessionCookie(ctx, organization.id, organization.staff[role].id);
  return { testDb, ctx, app, made, cookies };
}

/**
 * The seeded organization's world for a console test file (seedConsoleOrganization, and its
 * books with `books`): made
 * before the file's tests and dropped after them; its parts are there once the tests run.
 */
export function seededConsoleWorld(slug: string, options: { books?: boolean } = {}) {
  const world = {} as Awaited<ReturnType<typeof consoleTestWorld<ConsoleFixture>>> & { as: (role: StaffRole) => ReturnType<typeof browserAs> };
  beforeAll(async () => {
    const seed = async (c: ReturnType<typeof testContext>) => {
      const made = await seedConsoleOrganization(c, slug);
      if (options.books) await seedConsoleBooks(c, made);
      return made;
    };
    Object.assign(world, await consoleTestWorld(seed, (made) => made.org));
    world.as = (role) => browserAs(world.app, world.cookies[role]);
  });
  afterAll(async () => {
    await world.testDb.drop();
  });
  return world;
}
