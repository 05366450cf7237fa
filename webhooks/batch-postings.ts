import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { postLedgerTransactionsReturningKeys } from '../src/ledger/queries';
import { assertValidDraft, type LedgerTransactionDraft } from '../src/ledger/postings';

interface Queued {
  eventId: string;
  organizationId: string;
  draft: LedgerTransactionDraft;
}

/**
 * The ledger postings of one processor batch, written together once every handler has
 * run (one statement per organization instead of one per event), in the batch's
 * transaction. A source key drafted by two events of the batch goes to the first, as it
 * would if they were posted one after the other. Drafts are validated when queued, so a
 * bad one fails the event that made it.
 */
export class BatchPostings {
  private queued: Queued[] = [];
  /** Per organization and source key, the event the posting is written for. */
  private readonly writtenFor = new Map<string, string>();
  private readonly posted = new Set<string>();

  post(eventId: string, organizationId: string, drafts: LedgerTransactionDraft[]): void {
    for (const draft of drafts) assertValidDraft(draft);
    for (const draft of drafts) this.queued.push({ eventId, organizationId, draft });
  }

  /** Forgets an event's drafts (an event found not to be ours posts nothing). */
  discard(eventId: string): void {
    this.queued = this.queued.filter((queued) => queued.eventId !== eventId);
  }

  async write(trx: Kysely<Database>, postedAt: Date): Promise<void> {
    const byOrganization = new Map<string, LedgerTransactionDraft[]>();
    for (const { eventId, organizationId, draft } of this.queued) {
      const key = `${organizationId}\u0000${draft.sourceKey}`;
      if (this.writtenFor.has(key)) continue;
      this.writtenFor.set(key, eventId);
      let drafts = byOrganization.get(organizationId);
      if (!drafts) byOrganization.set(organizationId, (drafts = []));
      drafts.push(draft);
    }
    for (const [organizationId, drafts] of byOrganization) {
      for (const key of await postLedgerTransactionsReturningKeys(trx, organizationId, drafts, postedAt)) this.posted.add(`${organizationId}\u0000${key}`);
    }
  }

  /** After `write`: the transactions this batch posted that were new to the ledger (receipts are owed for these alone). */
  newlyPosted(): Array<{ organizationId: string; draft: LedgerTransactionDraft }> {
    return this.queued
      .filter(({ eventId, organizationId, draft }) => {
        const key = `${organizationId}\u0000${draft.sourceKey}`;
        return this.writtenFor.get(key) === eventId && this.posted.has(key);
      })
      .map(({ organizationId, draft }) => ({ organizationId, draft }));
  }

  /** After `write`: how many new ledger transactions an event posted; undefined if it drafted none. */
  postedBy(eventId: string): number | undefined {
    if (!this.queued.some((queued) => queued.eventId === eventId)) return undefined;
    let count = 0;
    for (const [key, writer] of this.writtenFor) if (writer === eventId && this.posted.has(key)) count += 1;
    return count;
  }
}
