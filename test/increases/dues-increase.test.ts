import type Stripe from 'stripe';
import type { Language } from '../../db/database';
import type { AmountRule, WageFacts } from '../../src/plans/dues';
import { increaseRows, noticeDayFor } from '../../src/increases/increases';
import { createIncrease, increaseCandidates } from '../../src/increases/queries';
import { advanceDuesIncreases, type IncreaseDeps } from '../../src/increases/worker';
import type { StripeClient } from '../../src/stripe/client';
import { insertPlan } from '../members/fixtures';
import { DAY, START, startStripeFlow, type SignedUp, type StripeFlow } from '../support/stripe-flow';

// A dues increase end to end on the sandbox: members on three plans (flat, percent of
// wages, sliding scale) with their own test clocks; notices on the day the notice is owed,
// in each member's language; from the effective day each subscription moved to its new
// amount without proration, exactly once even when the job dies half way; the renewal
// after it charged the new amount.

let flow: StripeFlow;
// 201 members in all.
const PER_PLAN = 67;
const at = (day: string) => Math.floor(Date.parse(`${day}T18:00:00Z`) / 1000);

const PLANS: Array<{ name: string; v1: AmountRule; v2: AmountRule; facts: (i: number) => WageFacts }> = [
  { name: 'Regular monthly', v1: { kind: 'flat', amountCents: 2500 }, v2: { kind: 'flat', amountCents: 2800 }, facts: () => ({}) },
  { name: 'Percent of wages', v1: { kind: 'percent_of_wages', basisPoints: 200 }, v2: { kind: 'percent_of_wages', basisPoints: 220 }, facts: (i) => ({ grossWageCents: 150_000 + i * 1_000, payFrequency: 'biweekly' }) },
  {
    name: 'Sliding scale',
    v1: { kind: 'income_brackets', brackets: [{ label: 'Under $25,000', amountCents: 1000 }, { label: '$25,000 or more', amountCents: 2000 }] },
    v2: { kind: 'income_brackets', brackets: [{ label: 'Under $25,000', amountCents: 1200 }, { label: '$25,000 or more', amountCents: 2400 }] },
    facts: (i) => ({ bracket: i % 2 }),
  },
];

interface Enrolled {
  signedUp: SignedUp;
  planIndex: number;
  language: Language;
}
const enrolled: Enrolled[] = [];
const increaseIds: string[] = [];

/** Counts subscription changes per subscription, and can die right after Stripe accepted the n-th (a process killed before it wrote it down). */
function countingStripe(stripe: StripeClient, updates: Map<string, number>, dieAfter?: number): StripeClient {
  let made = 0;
  const subscriptions = new Proxy(stripe.subscriptions, {
    get(target, property, receiver) {
      if (property !== 'update') return Reflect.get(target, property, receiver);
      return async (id: string, params: Stripe.SubscriptionUpdateParams, options: Stripe.RequestOptions) => {
        const result = await target.update(id, params, options);
        updates.set(id, (updates.get(id) ?? 0) + 1);
        made += 1;
        if (dieAfter !== undefined && made === dieAfter) throw new Error('killed after Stripe accepted the change');
        return result;
      };
    },
  });
  return new Proxy(stripe, { get: (target, property, receiver) => (property === 'subscriptions' ? subscriptions : Reflect.get(target, property, receiver)) });
}

const deps = (stripe: StripeClient = flow.stripe): IncreaseDeps => ({ db: flow.ctx.db, stripe, now: () => flow.now(), publicUrl: 'http://gs.test', notifyOutbox: () => undefined });

beforeAll(async () => {
  flow = await startStripeFlow();
  const db = flow.ctx.db;
  for (const [planIndex, plan] of PLANS.entries()) {
    const planId = await insertPlan(db, flow.organization.id, { name: plan.name, rule: plan.v1, effectiveFrom: '2025-01-01' });
    await db.insertInto('plan_versions').values({ organization_id: flow.organization.id, plan_id: planId, version: 2, effective_from: '2026-03-01', amount_rule: JSON.stringify(plan.v2), initiation_fee_cents: null, authorization_note: 'membership vote of 2026-01-10', created_at: flow.now() }).execute();
    for (let i = 0; i < PER_PLAN; i += 1) {
      const facts = plan.facts(i);
      const v1 = increaseRows([{ memberId: '', name: '', language: 'en', subscriptionId: '', wageFacts: facts, currentCents: null }], { rule: plan.v2, period: { interval: 'month', intervalCount: 1 } }, { rule: plan.v1, period: { interval: 'month', intervalCount: 1 } })[0]!;
      const signedUp = await flow.signUp({ name: `${plan.name} member ${i}`, paymentMethod: 'pm_card_visa', amountCents: v1.beforeCents!, startAt: START + i * 3_600 });
      const language: Language = i % 2 === 0 ? 'es' : 'en';
      await db.updateTable('members').set({ plan_id: planId, wage_facts: JSON.stringify(facts), preferred_language: language }).where('id', '=', signedUp.member.id).execute();
      enrolled.push({ signedUp, planIndex, language });
    }
    await flow.settle();
    const candidates = await increaseCandidates(db, flow.organization.id, planId);
    expect(candidates).toHaveLength(PER_PLAN);
    const version = await db.selectFrom('plan_versions').select('id').where('plan_id', '=', planId).where('version', '=', 2).executeTakeFirstOrThrow();
    const rows = increaseRows(candidates, { rule: plan.v2, period: { interval: 'month', intervalCount: 1 } }, { rule: plan.v1, period: { interval: 'month', intervalCount: 1 } });
    increaseIds.push(
      await createIncrease(db, { organizationId: flow.organization.id, planId, planVersionId: version.id, noticeDays: 30, noticeOn: noticeDayFor('2026-03-01', 30), effectiveFrom: '2026-03-01', staffUserId: null, at: flow.now() }, rows),
    );
  }
}, 180_000);
afterAll(async () => {
  await flow.close();
});

test('every member’s notice goes out on the day 30 days before, once, in their language', async () => {
  flow.setClock(at('2026-01-29'));
  expect((await advanceDuesIncreases(deps(), flow.organization)).noticesQueued).toBe(0);
  flow.setClock(at('2026-01-30'));
  expect((await advanceDuesIncreases(deps(), flow.organization)).noticesQueued).toBe(3 * PER_PLAN);
  expect((await advanceDuesIncreases(deps(), flow.organization)).noticesQueued).toBe(0);
  const mails = await flow.ctx.db.selectFrom('email_outbox').select(['to_address', 'subject', 'text_body']).where('kind', '=', 'dues_increase_notice').execute();
  expect(mails).toHaveLength(3 * PER_PLAN);
  for (const { signedUp, language } of enrolled) {
    const mail = mails.find((m) => m.to_address === signedUp.member.email)!;
    expect(mail.subject).toBe(language === 'es' ? 'Sus cuotas con Flow Union van a cambiar' : 'Your dues with Flow Union are changing');
  }
  const flat = mails.find((m) => m.to_address === enrolled.find((e) => e.planIndex === 0 && e.language === 'en')!.signedUp.member.email)!;
  expect(flat.text_body).toContain('From March 1, 2026, your dues go from $25.00 to $28.00 a month.');
  expect(flat.text_body).toContain('membership vote of 2026-01-10');
});

test('nothing changes before the effective day; from it, every subscription is moved once, even when the job dies half way', async () => {
  flow.setClock(at('2026-02-28'));
  expect((await advanceDuesIncreases(deps(), flow.organization)).changed).toBe(0);

  flow.setClock(at('2026-03-01'));
  const updates = new Map<string, number>();
  const dying = await advanceDuesIncreases(deps(countingStripe(flow.stripe, updates, 25)), flow.organization);
  expect(dying.failed).toBeGreaterThanOrEqual(1);
  const restarted = await advanceDuesIncreases(deps(countingStripe(flow.stripe, updates)), flow.organization);
  expect(restarted.failed).toBe(0);
  expect(dying.changed + restarted.changed + restarted.alreadyChanged).toBe(3 * PER_PLAN);
  expect(updates.size).toBe(3 * PER_PLAN);
  expect([...updates.values()].every((n) => n === 1)).toBe(true);
  const items = await flow.ctx.db.selectFrom('dues_increase_items').select(['applied_at', 'after_cents', 'subscription_id']).execute();
  expect(items.every((i) => i.applied_at !== null)).toBe(true);
  // A later run finds nothing to do.
  expect(await advanceDuesIncreases(deps(), flow.organization)).toEqual({ noticesQueued: 0, changed: 0, alreadyChanged: 0, failed: 0 });

  // The renewal after the effective day charges the new amount, with no proration line.
  for (const { signedUp } of enrolled) {
    await flow.sandbox.advanceClock(signedUp.clock.id, at('2026-03-01') + 8 * DAY);
  }
  for (const item of items) {
    const invoices = await flow.stripe.invoices.list({ subscription: item.subscription_id, limit: 10 });
    const latest = invoices.data.sort((a, b) => b.created - a.created)[0]!;
    expect([item.subscription_id, latest.amount_due]).toEqual([item.subscription_id, item.after_cents]);
    expect(latest.lines.data.some((line) => line.description?.toLowerCase().includes('unused') ?? false)).toBe(false);
  }
}, 180_000);
