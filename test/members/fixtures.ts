import request from 'supertest';
import type { Express } from 'express';
import type { Db } from '../../db/connection';
import type { BillingInterval, PlanStatus } from '../../db/database';
import type { AmountRule } from '../../src/plans/dues';
import { TEST_NOW } from '../support/app';

// Plans are inserted directly, so the member tests do not depend on the plans API.

export const FLAT_25_MONTHLY: AmountRule = { kind: 'flat', amountCents: 2500 };
export const PERCENT_2_1: AmountRule = { kind: 'percent_of_wages', basisPoints: 210, minimumCents: 2500, maximumCents: 7500 };

export async function insertPlan(
  db: Db,
  organizationId: string,
  plan: { name: string; rule: AmountRule; interval?: BillingInterval; status?: PlanStatus; effectiveFrom?: string; memberClass?: string },
): Promise<string> {
  const { id } = await db
    .insertInto('plans')
    .values({
      organization_id: organizationId,
      name: plan.name,
      member_class: plan.memberClass ?? 'regular',
      currency: 'usd',
      billing_interval: plan.interval ?? 'month',
      status: plan.status ?? 'active',
      created_at: TEST_NOW,
      updated_at: TEST_NOW,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('plan_versions')
    .values({
      organization_id: organizationId,
      plan_id: id,
      version: 1,
      effective_from: plan.effectiveFrom ?? '2026-01-01',
      amount_rule: JSON.stringify(plan.rule),
      initiation_fee_cents: null,
      authorization_note: 'membership vote of 2025-12-10',
      created_at: TEST_NOW,
    })
    .execute();
  return id;
}

/** supertest calls with one staff member's bearer token. */
export function as(app: Express, token: string) {
  const auth = { Authorization: `Bearer ${token}` };
  return {
    get: (path: string) => request(app).get(path).set(auth),
    post: (path: string) => request(app).post(path).set(auth),
    patch: (path: string) => request(app).patch(path).set(auth),
    csv: (path: string, text: string) => request(app).post(path).set(auth).set('Content-Type', 'text/csv').send(text),
  };
}

/** The field paths of a 400 or 409. */
export const fieldPaths = (body: { error: { details?: { fields?: Array<{ path: string }> } } }) => (body.error.details?.fields ?? []).map((field) => field.path);
