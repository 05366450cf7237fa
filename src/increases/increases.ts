import type { Language } from '../../db/database';
import { checkWageFacts, type PlanTerms } from '../members/members';
import type { WageFacts } from '../plans/dues';
import { addDays } from '../retention/policy';

/** A member on the plan with a live subscription: whom an increase of the plan reaches. */
export interface IncreaseCandidate {
  memberId: string;
  name: string;
  language: Language;
  subscriptionId: string;
  wageFacts: WageFacts;
  /** What the subscription charges now, as its mirror last saw it. */
  currentCents: number | null;
}

export interface IncreaseRow {
  memberId: string;
  name: string;
  language: Language;
  subscriptionId: string;
  beforeCents: number | null;
  /** Null: the member's dues cannot be computed under the new rate (the wage facts it needs are missing). */
  afterCents: number | null;
}

/**
 * What each member pays before and after: before, what their subscription charges (or the
 * old rate on their facts); after, the new rate on their facts (a flat rate is the same for
 * everyone, a computed one is worked out per member from their wages, bracket or choice).
 */
export function increaseRows(candidates: readonly IncreaseCandidate[], newTerms: PlanTerms, oldTerms: PlanTerms | undefined): IncreaseRow[] {
  return candidates.map((c) => {
    const before = oldTerms ? checkWageFacts(oldTerms, c.wageFacts) : undefined;
    const after = checkWageFacts(newTerms, c.wageFacts);
    return {
      memberId: c.memberId,
      name: c.name,
      language: c.language,
      subscriptionId: c.subscriptionId,
      beforeCents: c.currentCents ?? (before?.ok ? before.duesCents : null),
      afterCents: after.ok ? after.duesCents : null,
    };
  });
}

/** The day members are told: the effective day less the notice owed. */
export const noticeDayFor = (effectiveFrom: string, noticeDays: number): string => addDays(effectiveFrom, -noticeDays);

/** Whether the notice can still be given in full: its day is today or later. */
export const noticeStillPossible = (effectiveFrom: string, noticeDays: number, today: string): boolean => noticeDayFor(effectiveFrom, noticeDays) >= today;
