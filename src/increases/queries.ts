import { sql, type Kysely } from 'kysely';
import type { Database, Language } from '../../db/database';
import type { WageFacts } from '../plans/dues';
import type { IncreaseCandidate, IncreaseRow } from './increases';

// A dues increase's SQL: who it reaches, the increase and its items, the job's due work.

const LIVE = ['active', 'trialing', 'past_due'];

/** Members on the plan with a live subscription, by name. */
export async function increaseCandidates(db: Kysely<Database>, organizationId: string, planId: string): Promise<IncreaseCandidate[]> {
  const rows = await db
    .selectFrom('members as m')
    .innerJoin('stripe_subscriptions as s', (j) => j.onRef('s.organization_id', '=', 'm.organization_id').onRef('s.member_id', '=', 'm.id'))
    .select(['m.id', 'm.name', 'm.preferred_language', 'm.wage_facts', 's.id as subscription_id', 's.amount_cents'])
    .where('m.organization_id', '=', organizationId)
    .where('m.plan_id', '=', planId)
    .where('s.status', 'in', LIVE)
    .orderBy('m.name')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({ memberId: r.id, name: r.name, language: r.preferred_language as Language, subscriptionId: r.subscription_id, wageFacts: r.wage_facts as WageFacts, currentCents: r.amount_cents }));
}

/** Rate versions not yet in effect that no increase carries yet: what an increase can be made for. */
export async function upcomingVersions(db: Kysely<Database>, organizationId: string, today: string) {
  return db
    .selectFrom('plan_versions as v')
    .innerJoin('plans as p', (j) => j.onRef('p.organization_id', '=', 'v.organization_id').onRef('p.id', '=', 'v.plan_id'))
    .leftJoin('dues_increases as d', 'd.plan_version_id', 'v.id')
    .select(['v.id', 'v.plan_id', 'v.version', 'v.effective_from', 'v.authorization_note', 'p.name as plan_name'])
    .where('v.organization_id', '=', organizationId)
    .where('v.effective_from', '>', today)
    .where('p.status', '=', 'active')
    .where('d.id', 'is', null)
    .orderBy('v.effective_from')
    .orderBy('p.name')
    .execute();
}

export async function createIncrease(
  trx: Kysely<Database>,
  increase: { organizationId: string; planId: string; planVersionId: string; noticeDays: number; noticeOn: string; effectiveFrom: string; staffUserId: string | null; at: Date },
  rows: readonly IncreaseRow[],
): Promise<string> {
  const { id } = await trx
    .insertInto('dues_increases')
    .values({
      organization_id: increase.organizationId,
      plan_id: increase.planId,
      plan_version_id: increase.planVersionId,
      notice_days: increase.noticeDays,
      notice_on: increase.noticeOn,
      effective_from: increase.effectiveFrom,
      confirmed_by_staff_user_id: increase.staffUserId,
      confirmed_at: increase.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (rows.length > 0) {
    await trx
      .insertInto('dues_increase_items')
      .values(rows.map((r) => ({ organization_id: increase.organizationId, increase_id: id, member_id: r.memberId, subscription_id: r.subscriptionId, before_cents: r.beforeCents, after_cents: r.afterCents })))
      .execute();
  }
  return id;
}

export interface IncreaseSummary {
  id: string;
  plan_id: string;
  plan_name: string;
  version: number;
  notice_days: number;
  notice_on: string;
  effective_from: string;
  authorization_note: string;
  items: number;
  noticed: number;
  applied: number;
  failed: number;
  uncomputable: number;
}

const summaryColumns = sql<IncreaseSummary>`d.id, d.plan_id, p.name AS plan_name, v.version, d.notice_days, d.notice_on::text, d.effective_from::text, v.authorization_note,
  (SELECT count(*)::int FROM dues_increase_items i WHERE i.increase_id = d.id) AS items,
  (SELECT count(*)::int FROM dues_increase_items i WHERE i.increase_id = d.id AND i.notice_sent_at IS NOT NULL) AS noticed,
  (SELECT count(*)::int FROM dues_increase_items i WHERE i.increase_id = d.id AND i.applied_at IS NOT NULL) AS applied,
  (SELECT count(*)::int FROM dues_increase_items i WHERE i.increase_id = d.id AND i.applied_at IS NULL AND i.last_error IS NOT NULL) AS failed,
  (SELECT count(*)::int FROM dues_increase_items i WHERE i.increase_id = d.id AND i.after_cents IS NULL) AS uncomputable`;

export async function listIncreases(db: Kysely<Database>, organizationId: string): Promise<IncreaseSummary[]> {
  const result = await sql<IncreaseSummary>`
    SELECT ${summaryColumns} FROM dues_increases d JOIN plans p ON p.id = d.plan_id JOIN plan_versions v ON v.id = d.plan_version_id
    WHERE d.organization_id = ${organizationId} ORDER BY d.effective_from DESC, p.name`.execute(db);
  return result.rows;
}

export async function findIncrease(db: Kysely<Database>, organizationId: string, increaseId: string): Promise<IncreaseSummary | undefined> {
  const result = await sql<IncreaseSummary>`
    SELECT ${summaryColumns} FROM dues_increases d JOIN plans p ON p.id = d.plan_id JOIN plan_versions v ON v.id = d.plan_version_id
    WHERE d.organization_id = ${organizationId} AND d.id = ${increaseId}`.execute(db);
  return result.rows[0];
}

export async function increaseItems(db: Kysely<Database>, organizationId: string, increaseId: string) {
  return db
    .selectFrom('dues_increase_items as i')
    .innerJoin('members as m', (j) => j.onRef('m.organization_id', '=', 'i.organization_id').onRef('m.id', '=', 'i.member_id'))
    .select(['i.id', 'i.member_id', 'm.name', 'i.subscription_id', 'i.before_cents', 'i.after_cents', 'i.notice_sent_at', 'i.applied_at', 'i.attempts', 'i.last_error'])
    .where('i.organization_id', '=', organizationId)
    .where('i.increase_id', '=', increaseId)
    .orderBy('m.name')
    .orderBy('i.id')
    .execute();
}

/** Failed changes go back to the queue: the next run tries them again. */
export async function retryFailedItems(db: Kysely<Database>, organizationId: string, increaseId: string): Promise<number> {
  const result = await db
    .updateTable('dues_increase_items')
    .set({ attempts: 0, last_error: null })
    .where('organization_id', '=', organizationId)
    .where('increase_id', '=', increaseId)
    .where('applied_at', 'is', null)
    .where('last_error', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Notices due today or before, not yet sent, with what each says; locked so two runs do not both send one. */
export async function dueNotices(trx: Kysely<Database>, organizationId: string, today: string) {
  return trx
    .selectFrom('dues_increase_items as i')
    .innerJoin('dues_increases as d', 'd.id', 'i.increase_id')
    .innerJoin('plans as p', 'p.id', 'd.plan_id')
    .innerJoin('plan_versions as v', 'v.id', 'd.plan_version_id')
    .innerJoin('members as m', (j) => j.onRef('m.organization_id', '=', 'i.organization_id').onRef('m.id', '=', 'i.member_id'))
    .select(['i.id', 'i.member_id', 'i.before_cents', 'i.after_cents', 'd.effective_from', 'v.authorization_note', 'p.name as plan_name', 'p.currency', 'p.billing_interval', 'm.name', 'm.email', 'm.preferred_language'])
    .where('i.organization_id', '=', organizationId)
    .where('i.notice_sent_at', 'is', null)
    .where('i.after_cents', 'is not', null)
    .where('d.notice_on', '<=', today)
    .orderBy('i.id')
    .forUpdate('i')
    .skipLocked()
    .execute();
}

/** Subscription changes due (the effective day reached), not yet made, under the attempt limit. */
export async function dueChanges(db: Kysely<Database>, organizationId: string, today: string, maxAttempts: number) {
  return db
    .selectFrom('dues_increase_items as i')
    .innerJoin('dues_increases as d', 'd.id', 'i.increase_id')
    .innerJoin('plan_versions as v', 'v.id', 'd.plan_version_id')
    .select(['i.id', 'i.subscription_id', 'i.after_cents', 'd.plan_id', 'd.plan_version_id', 'v.stripe_price_id', 'v.amount_rule'])
    .where('i.organization_id', '=', organizationId)
    .where('i.applied_at', 'is', null)
    .where('i.after_cents', 'is not', null)
    .where('i.attempts', '<', maxAttempts)
    .where('d.effective_from', '<=', today)
    .orderBy('i.id')
    .execute();
}
