import type { Kysely } from 'kysely';
import request from 'supertest';
import type { Express } from 'express';
import type { Database, Organization } from '../../db/database';
import type { AmountRule } from '../../src/plans/dues';
import { insertPlan, insertPlanVersion } from '../../src/plans/queries';
import { TEST_NOW } from '../support/app';

export interface PlanSpec {
  name: string;
  rule: AmountRule;
  initiationFeeCents?: number;
}

/** One plan of each kind the page renders differently. */
export const PLAN_SPECS: PlanSpec[] = [
  { name: 'Regular monthly', rule: { kind: 'flat', amountCents: 3000 }, initiationFeeCents: 1000 },
  { name: 'Percent of wages', rule: { kind: 'percent_of_wages', basisPoints: 150, minimumCents: 1500, maximumCents: 8000 } },
  { name: 'Hours of pay', rule: { kind: 'hours_of_pay', hoursHundredths: 200 } },
  {
    name: 'Sliding scale',
    rule: { kind: 'income_brackets', brackets: [{ label: 'Under $20,000 a year', amountCents: 500 }, { label: '$20,000 to $40,000', amountCents: 1500 }, { label: 'Over $40,000', amountCents: 3000 }] },
  },
  { name: 'Pay what you can', rule: { kind: 'member_chosen', minimumCents: 300, suggestedCents: [] } },
];

export async function createPlans(db: Kysely<Database>, organization: Organization, specs: PlanSpec[] = PLAN_SPECS): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const spec of specs) {
    const plan = await insertPlan(db, { organization_id: organization.id, name: spec.name, currency: 'usd', billing_interval: 'month' }, TEST_NOW);
    await insertPlanVersion(db, {
      organization_id: organization.id,
      plan_id: plan.id,
      version: 1,
      effective_from: '2020-01-01',
      amount_rule: JSON.stringify(spec.rule),
      initiation_fee_cents: spec.initiationFeeCents ?? null,
      authorization_note: 'Constitution, article 6',
    }, TEST_NOW);
    ids[spec.name] = plan.id;
  }
  return ids;
}

export async function createOrganization(db: Kysely<Database>, slug: string, name = 'Local 42 Workers'): Promise<Organization> {
  return db.insertInto('organizations').values({ slug, name, time_zone: 'America/Chicago', currency: 'usd', settings: '{}', created_at: TEST_NOW, updated_at: TEST_NOW }).returningAll().executeTakeFirstOrThrow();
}

export const HTML = 'text/html,application/xhtml+xml';

/** An agent that keeps the CSRF cookie, and the token from the form it just loaded. */
export async function openForm(app: Express, path: string, language = 'en'): Promise<{ agent: ReturnType<typeof request.agent>; csrf: string; html: string }> {
  const agent = request.agent(app);
  const res = await agent.get(path).set('Accept', HTML).set('Accept-Language', language);
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.text)?.[1];
  if (!csrf) throw new Error(`no CSRF token on ${path} (status ${res.status})`);
  return { agent, csrf, html: res.text };
}

/** The id-named input's value attribute, as rendered. */
export function inputValue(html: string, id: string): string | undefined {
  // Up to the tag's end: a quoted value may hold a '>'.
  const tag = new RegExp(`<input id="${id}"(?:[^>"]|"[^"]*")*>`).exec(html)?.[0];
  if (!tag) return undefined;
  // An empty value is written as the bare attribute.
  return /\svalue="([^"]*)"/.exec(tag)?.[1] ?? (/\svalue[\s/>]/.test(tag) ? '' : undefined);
}

/** The links in the latest email of a kind to an address (the outbox is the tests' mailbox), relative to the service. */
export async function linksInLatestEmail(db: Kysely<Database>, to: string, kind: string): Promise<string[]> {
  const mail = await db.selectFrom('email_outbox').select('text_body').where('to_address', '=', to).where('kind', '=', kind).orderBy('created_at', 'desc').orderBy('id').executeTakeFirst();
  if (!mail) throw new Error(`no ${kind} email to ${to}`);
  return [...mail.text_body.matchAll(/http:\/\/gs\.test(\/[^\s]+)/g)].map((match) => match[1]!);
}

/** Follows the emailed signup link as its reader does: opens the page, checks it, presses the button. */
export async function confirmEmailedSignup(agent: ReturnType<typeof request.agent>, db: Kysely<Database>, to: string) {
  const [link] = await linksInLatestEmail(db, to, 'signup.confirm');
  if (!link) throw new Error(`no link in the signup email to ${to}`);
  const landing = await agent.get(link).set('Accept', HTML);
  const token = new URL(link, 'http://gs.test').searchParams.get('token')!;
  const res = await agent.post(link.split('?')[0]!).type('form').set('Accept', HTML).send({ token, intent: 'checkout' });
  return { landing, res, link, token };
}
