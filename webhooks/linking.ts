import { sql, type Kysely, type UpdateObject } from 'kysely';
import type Stripe from 'stripe';
import type { Database, Member, Organization } from '../db/database';
import { idsFromMetadata, isOurIdShape, type OurIds } from '../src/stripe/metadata';
import type { StripeClient } from '../src/stripe/client';
import { requestOptions } from '../src/stripe/client';
import { NotOurs, RetryLater } from './errors';

export interface Linked {
  organization: Organization;
  member: Member;
}

// A webhook batch links many events to the same few organizations in one transaction:
// each lookup (by id, by connected account, the platform's) is read once per transaction.
const organizationsReadIn = new WeakMap<Kysely<Database>, Map<string, Promise<Organization[]>>>();

function organizationsOnce(trx: Kysely<Database>, lookup: string, read: () => Promise<Organization[]>): Promise<Organization[]> {
  let known = organizationsReadIn.get(trx);
  if (!known) organizationsReadIn.set(trx, (known = new Map()));
  let found = known.get(lookup);
  if (!found) known.set(lookup, (found = read()));
  return found;
}

// The member rows a batch has locked, read once: with one statement when it starts (see
// lockMembersNamedBy), or by the first event that links to one the batch's events do not
// name. Every event of the batch for that member is handed the same object, so a handler
// that writes a member row updates that object as it writes (updateLinkedMember), or
// forgets it (forgetLinkedMember) and the next event reads the row anew.
const membersLockedIn = new WeakMap<Kysely<Database>, Member[]>();

function lockedMember(trx: Kysely<Database>, matches: (member: Member) => boolean): Member | undefined {
  return membersLockedIn.get(trx)?.find(matches);
}

function rememberLockedMember(trx: Kysely<Database>, member: Member): Member {
  let locked = membersLockedIn.get(trx);
  if (!locked) membersLockedIn.set(trx, (locked = []));
  locked.push(member);
  return member;
}

// Members whose paid-through dates a batch moved, written once when its handlers are done.
const coverageMovedIn = new WeakMap<Kysely<Database>, Map<string, Member>>();

/** Forgets a linked member after a write elsewhere; a change still to be written for it is written first. */
export async function forgetLinkedMember(trx: Kysely<Database>, memberId: string): Promise<void> {
  const moved = coverageMovedIn.get(trx)?.get(memberId);
  if (moved) await writeCoverage(trx, [moved]);
  coverageMovedIn.get(trx)?.delete(memberId);
  const locked = membersLockedIn.get(trx);
  const index = locked?.findIndex((member) => member.id === memberId) ?? -1;
  if (index >= 0) locked!.splice(index, 1);
}

const later = (a: string | null, b: string) => (a === null || b > a ? b : a);
const earlier = (a: string | null, b: string) => (a === null || b < a ? b : a);

/**
 * A payment covers a period: the member is paid through its last day, never moved back,
 * and joined no later than its first. Kept on the linked member at once (the next event
 * of the batch sees it) and written with the batch's other members when it ends.
 */
export function coverPeriod(trx: Kysely<Database>, member: Member, period: { start: string; end: string }, now: Date): void {
  member.paid_through = later(member.paid_through, period.end);
  member.joined_on = earlier(member.joined_on, period.start);
  member.updated_at = now;
  let moved = coverageMovedIn.get(trx);
  if (!moved) coverageMovedIn.set(trx, (moved = new Map()));
  moved.set(member.id, member);
}

async function writeCoverage(trx: Kysely<Database>, members: Member[]): Promise<void> {
  if (members.length === 0) return;
  await sql`
    UPDATE members m SET paid_through = c.paid_through, joined_on = c.joined_on, updated_at = c.updated_at
    FROM unnest(${members.map((m) => m.organization_id)}::uuid[], ${members.map((m) => m.id)}::uuid[], ${members.map((m) => m.paid_through)}::date[], ${members.map((m) => m.joined_on)}::date[], ${members.map((m) => m.updated_at)}::timestamptz[])
      AS c (organization_id, id, paid_through, joined_on, updated_at)
    WHERE m.organization_id = c.organization_id AND m.id = c.id`.execute(trx);
}

/** Writes the paid-through dates the batch moved (one statement), before it commits. */
export async function writeMovedCoverage(trx: Kysely<Database>): Promise<void> {
  const moved = coverageMovedIn.get(trx);
  if (!moved) return;
  await writeCoverage(trx, [...moved.values()]);
  moved.clear();
}

/** Updates a linked member's row and the object the batch hands out for it, in one statement. */
export async function updateLinkedMember(trx: Kysely<Database>, member: Member, changes: UpdateObject<Database, 'members'>): Promise<void> {
  // A coverage change still to be written would be lost if the row read back replaced it.
  if (coverageMovedIn.get(trx)?.has(member.id)) await writeMovedCoverage(trx);
  const updated = await trx.updateTable('members').set(changes).where('organization_id', '=', member.organization_id).where('id', '=', member.id).returningAll().executeTakeFirstOrThrow();
  Object.assign(member, updated);
}

// The organization and member each disputed charge of a batch was posted to, where the
// ledger has the charge's own postings (a dispute names only its charge, and is filed days
// after the payment): such a dispute is linked to that member without reading the charge.
const membersOfPostedChargesIn = new WeakMap<Kysely<Database>, Map<string, OurIds>>();

/** Whose a disputed charge is, by its postings, when the batch found them in the ledger. */
export function memberOfPostedCharge(trx: Kysely<Database>, chargeId: string): OurIds | undefined {
  return membersOfPostedChargesIn.get(trx)?.get(chargeId);
}

/** The member each charge was posted to, by the charge's own postings; a charge posted to two members is left out. */
async function readMembersOfPostedCharges(trx: Kysely<Database>, chargeIds: string[]): Promise<Map<string, OurIds>> {
  const postings = await trx
    .selectFrom('ledger_transactions')
    .select(['stripe_charge_id', 'organization_id', 'member_id'])
    .distinct()
    .where('stripe_charge_id', '=', (eb) => eb.fn.any(eb.val(chargeIds)))
    .where(sql<boolean>`starts_with(source_key, 'charge:')`)
    .where('member_id', 'is not', null)
    .execute();
  const byCharge = new Map<string, OurIds>();
  const ambiguous = new Set<string>();
  for (const posting of postings) {
    if (byCharge.has(posting.stripe_charge_id!)) ambiguous.add(posting.stripe_charge_id!);
    byCharge.set(posting.stripe_charge_id!, { organizationId: posting.organization_id, memberId: posting.member_id!, planId: undefined });
  }
  for (const chargeId of ambiguous) byCharge.delete(chargeId);
  return byCharge;
}

/**
 * Reads and locks, in one statement, the members a batch's events name in what they carry
 * (our metadata, the customer, or a disputed charge already posted: found with one more
 * statement), so that linking each event to its member costs no statement of its own, and
 * a batch takes its members' locks in one order. Events that name none are linked as before.
 */
export async function lockMembersNamedBy(trx: Kysely<Database>, events: Stripe.Event[]): Promise<Member[]> {
  const memberIds = new Set<string>();
  const customerIds = new Set<string>();
  const disputedChargeIds = new Set<string>();
  for (const event of events) {
    const object = event.data.object as { object?: string; id?: string; customer?: unknown; charge?: unknown; metadata?: Record<string, string> | null; parent?: { subscription_details?: { metadata?: Record<string, string> | null } | null } | null };
    const memberId = idsFromMetadata(object.metadata ?? object.parent?.subscription_details?.metadata)?.memberId;
    if (memberId && isOurIdShape(memberId)) memberIds.add(memberId);
    if (typeof object.customer === 'string') customerIds.add(object.customer);
    else if (object.object === 'customer' && object.id) customerIds.add(object.id);
    if (object.object === 'dispute' && typeof object.charge === 'string') disputedChargeIds.add(object.charge);
  }
  if (disputedChargeIds.size > 0) {
    const posted = await readMembersOfPostedCharges(trx, [...disputedChargeIds]);
    for (const ids of posted.values()) memberIds.add(ids.memberId!);
    membersOfPostedChargesIn.set(trx, posted);
  }
  if (memberIds.size === 0 && customerIds.size === 0) return [];
  const members = await trx
    .selectFrom('members')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', eb.fn.any(eb.val([...memberIds]))), eb('stripe_customer_id', '=', eb.fn.any(eb.val([...customerIds])))]))
    .orderBy('id')
    .forUpdate()
    .execute();
  membersLockedIn.set(trx, [...members]);
  return members;
}

async function organizationById(trx: Kysely<Database>, id: string): Promise<Organization | undefined> {
  if (!isOurIdShape(id)) return undefined;
  const [organization] = await organizationsOnce(trx, `id:${id}`, () => trx.selectFrom('organizations').selectAll().where('id', '=', id).execute());
  return organization;
}

/** The organization an event's account belongs to: a connected account routes by itself; the platform account by what the object says. */
export async function organizationForAccount(trx: Kysely<Database>, account: string | null | undefined): Promise<Organization | undefined> {
  if (!account) return undefined;
  const [organization] = await organizationsOnce(trx, `account:${account}`, () => trx.selectFrom('organizations').selectAll().where('stripe_account_id', '=', account).execute());
  if (!organization) throw new NotOurs(`no organization uses the connected account ${account}`);
  return organization;
}

/**
 * Links an object to our organization and member: first by the metadata we set (on the
 * object, or on the customer), then by the customer id already stored on a member. A
 * customer whose metadata is not ours is another platform's: NotOurs. Our ids naming a
 * member we cannot find yet: RetryLater.
 */
export async function linkToMember(
  trx: Kysely<Database>,
  stripe: StripeClient,
  event: Stripe.Event,
  hints: { metadata?: Record<string, string> | null | undefined; ids?: OurIds | undefined; customerId: string | null | undefined },
  now: Date,
): Promise<Linked & { planId: string | undefined }> {
  const accountOrganization = await organizationForAccount(trx, event.account);

  let ids: OurIds | undefined = hints.ids ?? idsFromMetadata(hints.metadata);
  // Found by its customer id, the member is read and locked at once (or was, by the batch).
  let byCustomer: Member | undefined;
  if (!ids && hints.customerId) {
    const customerId = hints.customerId;
    byCustomer = lockedMember(trx, (m) => m.stripe_customer_id === customerId && (accountOrganization === undefined || m.organization_id === accountOrganization.id));
    if (!byCustomer) {
      const read = await trx
        .selectFrom('members')
        .selectAll()
        .where('stripe_customer_id', '=', customerId)
        .$if(accountOrganization !== undefined, (q) => q.where('organization_id', '=', accountOrganization!.id))
        .forUpdate()
        .executeTakeFirst();
      if (read) byCustomer = rememberLockedMember(trx, read);
    }
    if (byCustomer) ids = { organizationId: byCustomer.organization_id, memberId: byCustomer.id, planId: undefined };
  }
  if (!ids && hints.customerId) {
    const customer = await stripe.customers.retrieve(hints.customerId, {}, requestOptions({ stripe_account_id: event.account ?? null }));
    ids = customer.deleted ? undefined : idsFromMetadata(customer.metadata);
  }
  if (!ids) throw new NotOurs(`object of customer ${hints.customerId ?? '(none)'} carries none of our metadata`);

  const organization = await organizationById(trx, ids.organizationId);
  if (!organization) throw new NotOurs(`metadata names organization ${ids.organizationId}, which does not exist here`);
  if (accountOrganization && accountOrganization.id !== organization.id) throw new NotOurs('metadata names another organization than the account it came from');
  const memberId = ids.memberId;
  if (!memberId) throw new RetryLater(`no member linked yet to customer ${hints.customerId ?? '(none)'}`, organization.id);
  let member = byCustomer ?? lockedMember(trx, (m) => m.id === memberId && m.organization_id === organization.id);
  if (!member) {
    const read = await trx.selectFrom('members').selectAll().where('organization_id', '=', organization.id).where('id', '=', memberId).forUpdate().executeTakeFirst();
    if (!read) throw new RetryLater(`member ${memberId} not found (yet) in ${organization.slug}`, organization.id);
    member = rememberLockedMember(trx, read);
  }
  if (hints.customerId && member.stripe_customer_id !== hints.customerId) {
    await updateLinkedMember(trx, member, { stripe_customer_id: hints.customerId, updated_at: now });
  }
  return { organization, member, planId: ids.planId ?? member.plan_id ?? undefined };
}

/**
 * Objects with no customer (payouts) belong to the connected account's organization; on
 * the platform account, to the one organization that has no connected account of its own.
 */
export async function organizationForBalance(trx: Kysely<Database>, event: Stripe.Event): Promise<Organization> {
  const byAccount = await organizationForAccount(trx, event.account);
  if (byAccount) return byAccount;
  const platform = await organizationsOnce(trx, 'platform', () => trx.selectFrom('organizations').selectAll().where('stripe_account_id', 'is', null).limit(2).execute());
  if (platform.length !== 1) throw new NotOurs(`a platform-account ${event.type} cannot be routed: ${platform.length} organizations have no connected account`);
  return platform[0]!;
}

export const idOf = (value: string | { id: string } | null | undefined): string | undefined => (typeof value === 'string' ? value : value?.id);
