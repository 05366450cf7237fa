import { sql, type Kysely, type UpdateObject } from 'kysely';
import type Stripe from 'stripe';
import type { Database, Member, Organization } from '../db/database';
import { idsFromMetadata, isOurIdShape, type OurIds } from '../src/stripe/metadata';
import type { StripeClient } from '../src/stripe/client';
import { requestOptions } from '../src/stripe/client';
import { Ambiguous, NotOurs, RetryLater } from './errors';

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
// that writes a member row updates that object as it writes (updateLinkedMember).
const membersLockedIn = new WeakMap<Kysely<Database>, Member[]>();
// The customers whose members the batch's first statement read, every one of them.
const customersLockedIn = new WeakMap<Kysely<Database>, Set<string>>();

function lockedMember(trx: Kysely<Database>, matches: (member: Member) => boolean): Member | undefined {
  return membersLockedIn.get(trx)?.find(matches);
}

function rememberLockedMember(trx: Kysely<Database>, member: Member): Member {
  let locked = membersLockedIn.get(trx);
  if (!locked) membersLockedIn.set(trx, (locked = []));
  locked.push(member);
  return member;
}

/** A member a batch's events linked to, with the last event that did. */
export interface TouchedMember {
  organizationId: string;
  memberId: string;
  eventId: string;
}

// The members a batch's events linked to, with those events in order: their standing is
// derived once, when the batch ends.
const membersTouchedIn = new WeakMap<Kysely<Database>, Map<string, { organizationId: string; memberId: string; eventIds: string[] }>>();

function touch(trx: Kysely<Database>, member: Member, eventId: string): void {
  let touched = membersTouchedIn.get(trx);
  if (!touched) membersTouchedIn.set(trx, (touched = new Map()));
  const key = `${member.organization_id}/${member.id}`;
  const entry = touched.get(key) ?? { organizationId: member.organization_id, memberId: member.id, eventIds: [] };
  entry.eventIds = [...entry.eventIds.filter((id) => id !== eventId), eventId];
  touched.set(key, entry);
}

/** The members the transaction's events linked to so far, each with the last event that linked to them. */
export function membersTouched(trx: Kysely<Database>): TouchedMember[] {
  return [...(membersTouchedIn.get(trx)?.values() ?? [])].map((entry) => ({ organizationId: entry.organizationId, memberId: entry.memberId, eventId: entry.eventIds.at(-1)! }));
}

/** Forgets what an event linked to (an event found not to be ours touched nothing). */
export function untouchByEvent(trx: Kysely<Database>, eventId: string): void {
  const touched = membersTouchedIn.get(trx);
  if (!touched) return;
  for (const [key, entry] of touched) {
    entry.eventIds = entry.eventIds.filter((id) => id !== eventId);
    if (entry.eventIds.length === 0) touched.delete(key);
  }
}

/** Updates a linked member's row and the object the batch hands out for it, in one statement. */
export async function updateLinkedMember(trx: Kysely<Database>, member: Member, changes: UpdateObject<Database, 'members'>): Promise<void> {
  const updated = await trx.updateTable('members').set(changes).where('organization_id', '=', member.organization_id).where('id', '=', member.id).returningAll().executeTakeFirstOrThrow();
  Object.assign(member, updated);
}

// The organization and member each disputed charge of a batch was posted to, where the
// ledger has the charge's own postings (a dispute names only its charge, and is filed days
// after the payment): such a dispute is linked to that member without reading the charge.
const membersOfPostedChargesIn = new WeakMap<Kysely<Database>, Map<string, OurIds>>();
// Dispute postings made before they were keyed by balance transaction (`dispute:<id>:withdrawn`, ...), by charge.
const legacyDisputeKeysIn = new WeakMap<Kysely<Database>, Set<string>>();

/** Whose a disputed charge is, by its postings, when the batch found them in the ledger. */
export function memberOfPostedCharge(trx: Kysely<Database>, chargeId: string): OurIds | undefined {
  return membersOfPostedChargesIn.get(trx)?.get(chargeId);
}

/** Whether a dispute posting under its old key (one per dispute and direction) is in the ledger. */
export function legacyDisputeKeyPosted(trx: Kysely<Database>, sourceKey: string): boolean {
  return legacyDisputeKeysIn.get(trx)?.has(sourceKey) ?? false;
}

/**
 * The member each charge was posted to, by the charge's own postings (a charge posted to
 * two members is left out), and the charges' dispute postings under their old keys: one
 * statement, by the index on charge ids.
 */
async function readPostingsOfDisputedCharges(trx: Kysely<Database>, chargeIds: string[]): Promise<{ byCharge: Map<string, OurIds>; legacyKeys: Set<string> }> {
  const postings = await trx
    .selectFrom('ledger_transactions')
    .select(['stripe_charge_id', 'organization_id', 'member_id', 'source_key'])
    .where('stripe_charge_id', '=', (eb) => eb.fn.any(eb.val(chargeIds)))
    .where((eb) => eb.or([eb.and([sql<boolean>`starts_with(source_key, 'charge:')`, eb('member_id', 'is not', null)]), sql<boolean>`starts_with(source_key, 'dispute:')`]))
    .execute();
  const byCharge = new Map<string, OurIds>();
  const ambiguous = new Set<string>();
  const legacyKeys = new Set<string>();
  for (const posting of postings) {
    if (posting.source_key.startsWith('dispute:')) {
      legacyKeys.add(posting.source_key);
      continue;
    }
    const known = byCharge.get(posting.stripe_charge_id!);
    if (known && (known.memberId !== posting.member_id || known.organizationId !== posting.organization_id)) ambiguous.add(posting.stripe_charge_id!);
    byCharge.set(posting.stripe_charge_id!, { organizationId: posting.organization_id, memberId: posting.member_id!, planId: undefined });
  }
  for (const chargeId of ambiguous) byCharge.delete(chargeId);
  return { byCharge, legacyKeys };
}

/**
 * Reads and locks, in one statement, the members a batch's events name in what they carry
 * (our metadata, the customer, or a disputed charge already posted: found with one more
 * statement, with the disputes' earlier postings), so that linking each event to its member costs no statement of its own, and
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
    const { byCharge, legacyKeys } = await readPostingsOfDisputedCharges(trx, [...disputedChargeIds]);
    for (const ids of byCharge.values()) memberIds.add(ids.memberId!);
    membersOfPostedChargesIn.set(trx, byCharge);
    legacyDisputeKeysIn.set(trx, legacyKeys);
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
  customersLockedIn.set(trx, customerIds);
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

function ambiguousCustomer(customerId: string, members: Member[]): Ambiguous {
  const where = members.map((m) => `member ${m.id} of organization ${m.organization_id}`).join(', ');
  return new Ambiguous(`customer ${customerId} is linked to ${members.length} members (${where}); linking would be a guess, so nothing was posted`);
}

/**
 * Links an object to our organization and member: first by the metadata we set (on the
 * object, or on the customer), then by the customer id already stored on a member. A
 * customer whose metadata is not ours is another platform's: NotOurs. Our ids naming a
 * member we cannot find yet: RetryLater. A customer linked to two members: Ambiguous.
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
    const inScope = (m: Member) => m.stripe_customer_id === customerId && (accountOrganization === undefined || m.organization_id === accountOrganization.id);
    let linked: Member[];
    if (customersLockedIn.get(trx)?.has(customerId)) linked = membersLockedIn.get(trx)?.filter(inScope) ?? [];
    else {
      const read = await trx
        .selectFrom('members')
        .selectAll()
        .where('stripe_customer_id', '=', customerId)
        .$if(accountOrganization !== undefined, (q) => q.where('organization_id', '=', accountOrganization!.id))
        .orderBy('id')
        .forUpdate()
        .execute();
      linked = read.map((member) => lockedMember(trx, (m) => m.id === member.id) ?? rememberLockedMember(trx, member));
    }
    if (linked.length > 1) throw ambiguousCustomer(customerId, linked);
    byCustomer = linked[0];
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
    // A customer already linked to another member is not linked to a second one on an event's word.
    const others = await trx.selectFrom('members').selectAll().where('stripe_customer_id', '=', hints.customerId).where('id', '!=', member.id).execute();
    if (others.length > 0) throw ambiguousCustomer(hints.customerId, [member, ...others]);
    await updateLinkedMember(trx, member, { stripe_customer_id: hints.customerId, updated_at: now });
  }
  touch(trx, member, event.id);
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
