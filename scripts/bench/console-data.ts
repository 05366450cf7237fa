import { sql } from 'kysely';
import type { Db } from '../../db/connection';
import { addDays } from '../../src/retention/policy';

// The console benchmark's organization, generated set-based: members in every standing,
// two years of history (monthly payments, standing changes, lapses, outreach, signals), a
// few statements whatever the size.

const FIRST = ['María', 'José', 'Ana', 'Luis', 'Rosa', 'Carlos', 'Lucía', 'Jorge', 'Elena', 'Miguel', 'Sofía', 'Juan', 'Carmen', 'Pedro', 'Isabel', 'Marcus', 'Aisha', 'Tom', 'Grace', 'Wei', 'Priya', 'Sam', 'Fatima', 'Kwame', 'Olga', 'Ivan', 'Mei', 'Omar', 'Nadia', 'Jamal', 'Linh', 'Tariq', 'Ruth', 'Diego', 'Valeria', 'Andrés', 'Paula', 'Héctor', 'Beatriz', 'Raúl'];
const LAST = ['García', 'Martínez', 'López', 'González', 'Rodríguez', 'Pérez', 'Sánchez', 'Ramírez', 'Torres', 'Flores', 'Rivera', 'Gómez', 'Díaz', 'Reyes', 'Cruz', 'Morales', 'Ortiz', 'Gutiérrez', 'Chávez', 'Ramos', 'Nguyen', 'Kim', 'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Thomas', 'Jackson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Hall', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Hill', 'Green', 'Adams', 'Baker', 'Nelson', 'Carter', 'Mitchell', 'Roberts', 'Phillips', 'Campbell', 'Parker', 'Evans', 'Edwards', 'Collins', 'Stewart', 'Morris', 'Okafor', 'Mensah', 'Haddad', 'Khan', 'Patel', 'Singh', 'Chen', 'Wang', 'Li', 'Zhang', 'Liu', 'Tran', 'Le', 'Pham', 'Hoang', 'Vu', 'Castillo', 'Vargas', 'Mendoza', 'Herrera', 'Medina', 'Aguilar', 'Jiménez', 'Romero', 'Álvarez', 'Ruiz', 'Navarro', 'Domínguez', 'Vázquez', 'Castro', 'Santos', 'Guerrero', 'Delgado', 'Ortega', 'Núñez', 'Peña', 'Ríos', 'Soto', 'Fuentes', 'Salazar'];

/** A generated organization kept by an earlier run (--keep), found again by its slug. */
export async function findConsoleOrganization(db: Db): Promise<BenchOrganization> {
  const org = await db.selectFrom('organizations').select('id').where('slug', '=', 'bench-console').executeTakeFirstOrThrow();
  const staff = await db
    .selectFrom('staff_roles')
    .innerJoin('staff_users', 'staff_users.id', 'staff_roles.staff_user_id')
    .select(['staff_users.id', 'staff_roles.role'])
    .where('staff_roles.organization_id', '=', org.id)
    .orderBy('staff_users.email')
    .execute();
  return { organizationId: org.id, adminId: staff.find((s) => s.role === 'admin')!.id, organizerIds: staff.filter((s) => s.role === 'organizer').map((s) => s.id), today: '' };
}

export interface BenchOrganization {
  organizationId: string;
  adminId: string;
  organizerIds: string[];
  today: string;
}

export async function generateConsoleOrganization(db: Db, options: { members: number; worksites: number; organizers: number; now: Date; today: string }): Promise<BenchOrganization> {
  const { now, today } = options;
  const org = await db
    .insertInto('organizations')
    .values({ slug: 'bench-console', name: 'Bench Workers United', time_zone: 'America/Chicago', currency: 'usd', settings: '{}', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const organizationId = org.id;
  const admin = await db.insertInto('staff_users').values({ email: 'admin@bench.example', name: 'Bench Admin', created_at: now }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('staff_roles').values({ organization_id: organizationId, staff_user_id: admin.id, role: 'admin', created_at: now }).execute();
  const organizers = await db
    .insertInto('staff_users')
    .values(Array.from({ length: options.organizers }, (_, i) => ({ email: `organizer${i + 1}@bench.example`, name: `Organizer ${FIRST[i % FIRST.length]} ${i + 1}`, created_at: now })))
    .returning('id')
    .execute();
  const organizerIds = organizers.map((row) => row.id);
  await db.insertInto('staff_roles').values(organizerIds.map((id) => ({ organization_id: organizationId, staff_user_id: id, role: 'organizer' as const, created_at: now }))).execute();
  const plan = await db.insertInto('plans').values({ organization_id: organizationId, name: 'Regular monthly', currency: 'usd', billing_interval: 'month', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('plan_versions')
    .values({ organization_id: organizationId, plan_id: plan.id, version: 1, effective_from: '2020-01-01', amount_rule: JSON.stringify({ kind: 'flat', amountCents: 3000 }), initiation_fee_cents: null, authorization_note: 'bench', created_at: now })
    .execute();
  await db
    .insertInto('worksite_organizers')
    .values(Array.from({ length: options.worksites }, (_, w) => ({ organization_id: organizationId, worksite: `Worksite ${String(w + 1).padStart(2, '0')}`, organizer_staff_user_id: organizerIds[w % organizerIds.length]!, updated_at: now })))
    .execute();

  const t = sql`${today}::date`;
  // r: a member's place in 100, which decides their standing: 85 active, 5 past due, 4 lapsed, 2 suspended, 1 dropped, 2 pending, 1 resigned.
  await sql`
    INSERT INTO members (organization_id, name, email, phone, preferred_language, worksite, organizer_staff_user_id, external_id, plan_id, wage_facts,
                         joined_on, paid_through, standing, standing_changed_at, created_at, updated_at)
    SELECT ${organizationId}, f.first || ' ' || l.last, 'member' || i || '@bench.example', '(312) 555-' || lpad((i % 10000)::text, 4, '0'),
           CASE WHEN i % 3 = 0 THEN 'es' ELSE 'en' END,
           'Worksite ' || lpad((i % ${options.worksites} + 1)::text, 2, '0'),
           CASE WHEN abs(hashint4(i + 1)) % 5 = 0 THEN NULL ELSE (${organizerIds}::uuid[])[i % ${organizerIds.length} + 1] END,
           'M-' || i, ${plan.id}, '{}', ${t} - 730,
           CASE WHEN r < 85 THEN ${t} + (i % 28) WHEN r < 90 THEN ${t} - 5 - (i % 20) WHEN r < 94 THEN ${t} - 35 - (i % 45)
                WHEN r < 96 THEN ${t} - 100 - (i % 60) WHEN r < 97 THEN ${t} - 200 WHEN r < 99 THEN NULL ELSE ${t} - 300 END,
           (CASE WHEN r < 85 THEN 'active' WHEN r < 90 THEN 'past_due' WHEN r < 94 THEN 'lapsed' WHEN r < 96 THEN 'suspended' WHEN r < 97 THEN 'dropped' WHEN r < 99 THEN 'pending' ELSE 'resigned' END),
           ${now}::timestamptz - make_interval(days => i % 90), ${now}::timestamptz - interval '730 days', ${now}::timestamptz
    FROM generate_series(1, ${options.members}) i
    CROSS JOIN LATERAL (SELECT (abs(hashint4(i)) % 100) AS r) pick
    JOIN (SELECT ordinality AS n, first FROM unnest(${FIRST}::text[]) WITH ORDINALITY AS first) f ON f.n = abs(hashint4(i * 7)) % ${FIRST.length} + 1
    JOIN (SELECT ordinality AS n, last FROM unnest(${LAST}::text[]) WITH ORDINALITY AS last) l ON l.n = abs(hashint4(i * 13)) % ${LAST.length} + 1`.execute(db);

  // History: the first standing, the change to the current one, and a lapse-and-recovery a year ago for one in five.
  await sql`
    INSERT INTO member_standing_changes (organization_id, member_id, from_standing, to_standing, cause, cause_reference, staff_user_id, created_at)
    SELECT m.organization_id, m.id, NULL::text, 'active', 'import', NULL::text, NULL::uuid, m.created_at FROM members m WHERE m.organization_id = ${organizationId}
    UNION ALL
    SELECT m.organization_id, m.id, 'active', m.standing, 'lapse_scan', 'grace_ended', NULL, m.standing_changed_at FROM members m WHERE m.organization_id = ${organizationId} AND m.standing <> 'active'
    UNION ALL
    SELECT m.organization_id, m.id, 'active', 'lapsed', 'lapse_scan', 'grace_ended', NULL, ${now}::timestamptz - interval '400 days' FROM members m WHERE m.organization_id = ${organizationId} AND abs(hashtext(m.external_id)) % 5 = 0
    UNION ALL
    SELECT m.organization_id, m.id, 'lapsed', 'active', 'manual_payment', NULL, NULL, ${now}::timestamptz - interval '380 days' FROM members m WHERE m.organization_id = ${organizationId} AND abs(hashtext(m.external_id)) % 5 = 0`.execute(db);

  // Two years of monthly payroll deductions for every member who has paid.
  await sql`
    INSERT INTO manual_payments (organization_id, member_id, method, amount_cents, currency, period_start, period_end, received_on, reference, note, recorded_by_staff_user_id, created_at)
    SELECT m.organization_id, m.id, 'payroll_deduction', 3000, 'usd',
           (date_trunc('month', m.paid_through) - make_interval(months => k))::date,
           (date_trunc('month', m.paid_through) - make_interval(months => k - 1) - interval '1 day')::date,
           (date_trunc('month', m.paid_through) - make_interval(months => k))::date + 3, NULL, NULL, ${admin.id},
           (date_trunc('month', m.paid_through) - make_interval(months => k))::timestamptz + interval '3 days 15 hours'
    FROM members m CROSS JOIN generate_series(1, 24) k
    WHERE m.organization_id = ${organizationId} AND m.paid_through IS NOT NULL`.execute(db);

  // Lapses: open ones for members behind, closed ones (recovered, some this month) for one in five.
  await sql`
    INSERT INTO lapse_episodes (organization_id, member_id, opened_on, closed_on, close_reason, worksite, organizer_staff_user_id, created_at)
    SELECT m.organization_id, m.id, m.paid_through + 32, NULL::date, NULL::text, m.worksite, m.organizer_staff_user_id, ${now}::timestamptz
    FROM members m WHERE m.organization_id = ${organizationId} AND m.standing IN ('lapsed', 'suspended')
    UNION ALL
    SELECT m.organization_id, m.id, ${t} - 400 + (abs(hashtext(m.id::text)) % 380), ${t} - 400 + (abs(hashtext(m.id::text)) % 380) + 5 + abs(hashtext(m.id::text)) % 15, 'recovered', m.worksite, m.organizer_staff_user_id, ${now}::timestamptz
    FROM members m WHERE m.organization_id = ${organizationId} AND abs(hashtext(m.external_id)) % 5 = 0`.execute(db);

  // Signals of the last month: failed payments and expiring cards for one in ten in good standing, lapses, suspensions coming.
  await sql`
    INSERT INTO retention_signals (organization_id, member_id, signal, signal_key, detected_on, reason, months_in_arrears, created_at)
    SELECT m.organization_id, m.id,
           CASE abs(hashtext(m.external_id || 's')) % 3 WHEN 0 THEN 'payment_failed' WHEN 1 THEN 'card_expiring' ELSE 'cancel_scheduled' END,
           'bench-' || m.external_id, ${t} - (abs(hashtext(m.external_id)) % 25), 'bench', 0, ${now}::timestamptz
    FROM members m WHERE m.organization_id = ${organizationId} AND m.standing = 'active' AND abs(hashtext(m.external_id || 'r')) % 10 = 0
    UNION ALL
    SELECT m.organization_id, m.id, 'lapsed', 'bench-lapse-' || m.external_id, m.paid_through + 32, 'grace_ended', 1, ${now}::timestamptz
    FROM members m WHERE m.organization_id = ${organizationId} AND m.standing = 'lapsed'
    UNION ALL
    SELECT m.organization_id, m.id, 'suspension_coming', (${t} + 5)::text, ${t} - 1, 'months_owed', 2, ${now}::timestamptz
    FROM members m WHERE m.organization_id = ${organizationId} AND m.standing = 'lapsed' AND abs(hashtext(m.external_id)) % 4 = 0`.execute(db);
  await sql`
    INSERT INTO stripe_invoices (organization_id, id, member_id, subscription_id, status, currency, amount_due, amount_paid, period_start, period_end, attempt_count, paid_at, updated_at)
    SELECT g.organization_id, 'in_' || g.signal_key, g.member_id, NULL, 'open', 'usd', 3000, 0, ${t} - 10, ${t} + 20, 2, NULL, ${now}::timestamptz
    FROM retention_signals g WHERE g.organization_id = ${organizationId} AND g.signal = 'payment_failed'`.execute(db);

  // Outreach: two calls to each member behind, a promise from one in six.
  await sql`
    INSERT INTO outreach_log (organization_id, member_id, staff_user_id, episode_id, channel, outcome, note, follow_up_on, promised_on, contacted_on, created_at)
    SELECT m.organization_id, m.id, coalesce(m.organizer_staff_user_id, ${admin.id}), NULL, 'call',
           CASE WHEN k = 2 AND abs(hashtext(m.external_id)) % 6 = 0 THEN 'promised_to_pay' WHEN k = 1 THEN 'no_answer' ELSE 'left_message' END,
           CASE WHEN k = 2 THEN 'Called after the shift' END, NULL,
           CASE WHEN k = 2 AND abs(hashtext(m.external_id)) % 6 = 0 THEN ${t} + 7 END,
           ${t} - 10 + k * 3, ${now}::timestamptz - make_interval(days => 10 - k * 3)
    FROM members m CROSS JOIN generate_series(1, 2) k
    WHERE m.organization_id = ${organizationId} AND m.standing IN ('past_due', 'lapsed', 'suspended')`.execute(db);

  // What autovacuum would have done by the time anyone looks: statistics, and the GIN indexes' pending lists merged.
  await sql`VACUUM ANALYZE`.execute(db);
  return { organizationId, adminId: admin.id, organizerIds, today: addDays(today, 0) };
}
