import pino from 'pino';
import type { Express } from 'express';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createStripeClient } from '../../src/stripe/client';
import type { AppContext } from '../../src/context';
import type { Db } from '../../db/connection';
import type { StaffRole } from '../../db/database';
import { openStaffSession } from '../../src/auth/sessions';
import { insertOrganization } from '../../src/organizations/queries';
import { grantRole, upsertStaffUser } from '../../src/staff/queries';

export const TEST_PUBLIC_URL = 'http://gs.test';
export const TEST_WEBHOOK_SECRET = 'whsec_test_secret_for_the_suite';

/**
 * The suite's day: the test clock starts here whatever the date the suite runs on (CI runs
 * it again a year ahead), and fixtures that need a time of their own take it from here.
 */
export const TEST_NOW = new Date('2026-11-24T15:00:00Z');

/** Fixture tokens outlive any clock a test moves to (they still carry an `exp`). */
export const FIXTURE_TOKEN_SECONDS = 10 * 366 * 86_400;

/** The times a member row is inserted with, for fixtures that insert members directly. */
export const memberTimes = (at: Date = TEST_NOW) => ({ created_at: at, updated_at: at, standing_changed_at: at });

export interface TestClock {
  now: Date;
}

export function testContext(db: Db, overrides: Partial<AppContext> = {}): AppContext & { clock: TestClock; outboxNotifications: number } {
  const clock: TestClock = { now: TEST_NOW };
  const ctx = {
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
    db,
    logger: pino({ level: 'silent' }),
    // Tests that talk to Stripe pass a client for their sandbox; any other call fails at once.
    stripe: createStripeClient({ secretKey: 'sk_test_unreachable', apiBase: 'http://127.0.0.1:9', maxNetworkRetries: 0, timeoutMs: 1000 }),
    publicUrl: TEST_PUBLIC_URL,
    outboxNotifications: 0,
    notifyOutbox: () => {
      ctx.outboxNotifications += 1;
    },
    notifyWebhooks: () => undefined,
    webhookSecrets: [TEST_WEBHOOK_SECRET],
    now: () => clock.now,
    clock,
    ...overrides,
  };
  return ctx;
}

/** The app as the service builds it, with every declared response checked against its schema (see checkDeclaredResponses). */
export function testApp(ctx: AppContext, options: { loginRateLimit?: number; loginAddressRateLimit?: number } = {}): Express {
  return buildApp(ctx, { ...options, checkResponses: true });
}

export interface StaffFixture {
  id: string;
  email: string;
  token: string;
}

export interface OrganizationFixture {
  id: string;
  slug: string;
  staff: Record<StaffRole, StaffFixture>;
}

/** A staff token with a session behind it, as signing in or `issue-token` gives one. */
export async function staffToken(ctx: AppContext, who: { staffUserId: string; organizationId: string; roles?: StaffRole[] }, seconds = FIXTURE_TOKEN_SECONDS): Promise<string> {
  const { token } = await openStaffSession(ctx.db, ctx.config.jwtSecret, { staffUserId: who.staffUserId, organizationId: who.organizationId, roles: who.roles ?? [], via: 'issued_token' }, seconds, ctx.now());
  return token;
}

/** An organization with one staff member per role, each with a bearer token. */
export async function createOrganizationWithStaff(ctx: AppContext, slug: string): Promise<OrganizationFixture> {
  const organization = await insertOrganization(ctx.db, { slug, name: `${slug} union`, timeZone: 'America/Chicago', currency: 'usd' }, ctx.now());
  const staff = {} as Record<StaffRole, StaffFixture>;
  for (const role of ['admin', 'treasurer', 'organizer'] as const) {
    const email = `${role}@${slug}.example.org`;
    const user = await upsertStaffUser(ctx.db, { email, name: `${role} of ${slug}` }, ctx.now());
    await grantRole(ctx.db, organization.id, user.id, role, ctx.now());
    const token = await staffToken(ctx, { staffUserId: user.id, organizationId: organization.id, roles: [role] });
    staff[role] = { id: user.id, email, token };
  }
  return { id: organization.id, slug: organization.slug, staff };
}
