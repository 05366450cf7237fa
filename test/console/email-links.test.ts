import { inviteStaff } from '../../src/staff/invitations';
import request from 'supertest';
import { requestSignIn } from '../../src/auth/sign-in';
import { findOrganizationById } from '../../src/organizations/queries';
import { queueDigests, queueImmediateFailureAlerts } from '../../src/retention/digest';
import { queueMemberNotices } from '../../src/retention/notices';
import { DEFAULT_POLICY } from '../../src/retention/policy';
import { requestManageLink, requestSignup } from '../../src/signup/join';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_PUBLIC_URL, testApp, testContext } from '../support/app';
import { seedConsoleOrganization, sessionCookie, type ConsoleFixture } from './fixtures';

// Every link in every email the service sends leads somewhere real: the staff sign-in
// link, the digest's member pages and call list, the alerts', the member notices' and the
// manage and signup emails' links. Each is followed as its recipient would (staff signed in).

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let fx: ConsoleFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  fx = await seedConsoleOrganization(ctx, 'local-7');
});
afterAll(async () => {
  await testDb.drop();
});

const LINK = /https?:\/\/[^\s"<>]+/g;
const decode = (href: string) => href.replace(/&amp;/g, '&');

test('every link in every email works for the person it is sent to', async () => {
  const organization = (await findOrganizationById(ctx.db, fx.org.id))!;
  const today = '2026-11-24';
  const now = ctx.now();
  // Fresh signals for the notices and the immediate alert; the fixture's older ones go in the digest.
  for (const [member, signal, key] of [
    [fx.members.lucia, 'payment_failed', 'in_lucia_1'],
    [fx.members.lucia, 'card_expiring', '2026-11'],
    [fx.members.jo, 'suspension_coming', '2026-11-30'],
  ] as const) {
    await ctx.db.insertInto('retention_signals').values({ organization_id: fx.org.id, member_id: member, signal, signal_key: key, detected_on: today, reason: signal, months_in_arrears: 1, created_at: now }).execute();
  }
  await ctx.db.updateTable('members').set({ stripe_customer_id: 'cus_lucia' }).where('id', '=', fx.members.lucia).execute();
  const policy = { ...DEFAULT_POLICY, immediateFailureAlert: true };
  await ctx.db.transaction().execute(async (trx) => {
    const options = { organization, policy, today, now, publicUrl: TEST_PUBLIC_URL };
    await queueImmediateFailureAlerts(trx, options);
    await queueMemberNotices(trx, options);
    await queueDigests(trx, options);
  });
  await requestSignIn(ctx.db, { email: fx.org.staff.organizer.email, publicUrl: TEST_PUBLIC_URL, now });
  await requestManageLink(ctx, organization, 'lucia@example.org', 'en');
  await inviteStaff(ctx.db, { organizationId: fx.org.id, organizationName: organization.name, email: 'new.organizer@example.org', name: 'New Organizer', role: 'organizer', invitedBy: fx.org.staff.admin.id, publicUrl: TEST_PUBLIC_URL, now });
  await requestManageLink(ctx, organization, 'not.a.member@example.org', 'es');
  const plan = await ctx.db.selectFrom('plans').select('id').where('organization_id', '=', fx.org.id).executeTakeFirstOrThrow();
  await requestSignup(ctx, organization, { values: { name: 'Nia New', email: 'nia.new@example.org', plan: plan.id, paymentMethod: 'card', authorization: 'yes', authorizationVersion: '1' }, language: 'es', ip: null, userAgent: null });
  await requestSignup(ctx, organization, { values: { name: 'Lucía', email: 'lucia@example.org', plan: plan.id, paymentMethod: 'card', authorization: 'yes', authorizationVersion: '1' }, language: 'en', ip: null, userAgent: null });

  const mail = await ctx.db.selectFrom('email_outbox').select(['kind', 'to_address', 'text_body', 'html_body']).where('organization_id', '=', fx.org.id).execute();
  const kinds = new Set(mail.map((row) => row.kind));
  for (const kind of ['staff_sign_in', 'retention.digest', 'retention.payment_failed_alert', 'retention.notice.payment_failed', 'retention.notice.card_expiring', 'retention.notice.suspension_coming', 'signup.manage_link', 'signup.confirm', 'signup.already_member', 'staff_invitation']) {
    expect([kind, kinds.has(kind)]).toEqual([kind, true]);
  }

  const staffByEmail = new Map(Object.values(fx.org.staff).map((staff) => [staff.email, staff.id]));
  let followed = 0;
  for (const row of mail) {
    const inText = new Set(row.text_body.match(LINK) ?? []);
    const inHtml = new Set([...row.html_body.matchAll(/href="([^"]+)"/g)].map((match) => decode(match[1]!)));
    // The HTML twin carries exactly the links of the text part.
    expect([row.kind, [...inHtml].sort()]).toEqual([row.kind, [...inText].sort()]);
    expect(inText.size).toBeGreaterThan(0);
    for (const link of inText) {
      expect(link.startsWith(`${TEST_PUBLIC_URL}/`)).toBe(true);
      const target = link.slice(TEST_PUBLIC_URL.length);
      const staffId = staffByEmail.get(row.to_address);
      const call = request(app).get(target).set('Accept', 'text/html');
      const res = await (staffId ? call.set('Cookie', await sessionCookie(ctx, fx.org.id, staffId)) : call);
      // A page, or the sign-in link doing its work (a redirect into the console).
      expect([row.kind, target, res.status]).toEqual([row.kind, target, target.startsWith('/auth/callback') ? res.status : 200]);
      if (target.startsWith('/auth/callback')) {
        expect([200, 303]).toContain(res.status);
        if (res.status === 303) expect(res.headers.location).toBe('/');
      }
      followed += 1;
    }
  }
  expect(followed).toBeGreaterThanOrEqual(10);
});
