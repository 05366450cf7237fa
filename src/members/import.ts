import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { STANDING_DECISIONS, type Language, type Standing, type StandingDecision } from '../../db/database';
import type { RetentionPolicy } from '../retention/policy';
import { deriveStanding, factsWith, type DerivedReason } from './derive';
import { ApiError } from '../http/errors';
import { isPayFrequency, PAY_FREQUENCIES, type WageFacts } from '../plans/dues';
import { calendarDay, checkWageFacts, LANGUAGES, parseDollars, standing as standingSchema } from './members';
import type { NewMemberRow, PlanWithTerms } from './queries';
import { existingMemberOf, memberChanges, type ExistingMembers, type MemberUpdate } from './import-update';

export const ROLL_COLUMNS = [
  'name',
  'email',
  'phone',
  'preferred_language',
  'employer',
  'worksite',
  'member_class',
  'external_id',
  'plan',
  'joined_on',
  'paid_through',
  'standing',
  'organizer_email',
  'gross_wage',
  'pay_frequency',
  'hourly_wage',
  'bracket',
  'chosen_amount',
] as const;
export type RollColumn = (typeof ROLL_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly RollColumn[] = ['name', 'email'];
export const MAX_ROLL_ROWS = 20_000;

/**
 * One data row: its cells by column, blank cells left out, and `line`, the row number a
 * spreadsheet shows for it (the header is 1; blank lines count). Absent, a row's number is
 * its place after the header.
 */
export type RollRow = Partial<Record<RollColumn, string>> & { overflow?: true; line?: number };

/** `row` is the row number the spreadsheet shows: the header is row 1. */
export interface Rejection {
  row: number;
  field: RollColumn | 'row';
  reason: string;
}

/** Reads the CSV text of a roll into rows, or refuses the whole file (400) when its shape is wrong. */
export function readRoll(text: string): RollRow[] {
  // NUL bytes mean a spreadsheet file or UTF-16 text, not the UTF-8 CSV this reads.
  if (text.includes('\u0000')) throw new ApiError('bad_request', 'the file is not UTF-8 CSV text: save the sheet as "CSV UTF-8" and send that');
  let records: Array<{ record: string[]; info: { bytes: number } }>;
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (error) {
    throw new ApiError('bad_request', `the file is not readable CSV: ${(error as Error).message}`);
  }
  const [first, ...data] = records;
  const header = first?.record;
  if (header === undefined) throw new ApiError('bad_request', 'the file is empty: send a header row and one row per member');
  const columns = header.map((cell) => cell.toLowerCase());
  const unknown = columns.flatMap((column, index) => ((ROLL_COLUMNS as readonly string[]).includes(column) ? [] : [column === '' ? `(column ${index + 1} has no name)` : column]));
  if (unknown.length > 0) {
    throw new ApiError('bad_request', `unknown columns: ${unknown.join(', ')}`, { unknownColumns: unknown, knownColumns: ROLL_COLUMNS });
  }
  const repeated = columns.filter((column, index) => columns.indexOf(column) !== index);
  if (repeated.length > 0) throw new ApiError('bad_request', `columns given twice: ${repeated.join(', ')}`, { repeatedColumns: repeated });
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.includes(column));
  if (missing.length > 0) throw new ApiError('bad_request', `missing columns: ${missing.join(', ')}`, { missingColumns: missing });
  if (data.length === 0) throw new ApiError('bad_request', 'the file has a header but no members');
  if (data.length > MAX_ROLL_ROWS) throw new ApiError('bad_request', `at most ${MAX_ROLL_ROWS} members per file; split the roll`);

  const lines = spreadsheetRows(text, records.map((r) => r.info.bytes));
  return data.map(({ record: cells }, index) => {
    const row: RollRow = { line: lines[index + 1]! };
    columns.forEach((column, index) => {
      const cell = cells[index];
      if (cell !== undefined && cell !== '') row[column as RollColumn] = cell;
    });
    // More cells than columns means the row lost its alignment; say so rather than guess.
    return cells.length > columns.length ? { ...row, overflow: true } : row;
  });
}

const lineBreaks = (text: string) => text.match(/\r\n|\r|\n/g)?.length ?? 0;

/**
 * The row number a spreadsheet shows for each record, from where each record ends in the
 * file (csv-parse's byte count): the line it starts on, blank lines counted, and a cell
 * holding line breaks numbered where it starts.
 */
function spreadsheetRows(text: string, recordEnds: number[]): number[] {
  const bytes = Buffer.from(text);
  let start = 0;
  let breaksBefore = 0;
  return recordEnds.map((end) => {
    const segment = bytes.subarray(start, end).toString();
    const blankLines = /^(?:[ \t]*(?:\r\n|\r|\n))*/.exec(segment)![0];
    const line = breaksBefore + lineBreaks(blankLines) + 1;
    breaksBefore += lineBreaks(segment);
    start = end;
    return line;
  });
}

/** What validating a roll needs from the database, looked up once for the whole file. */
export interface RollLookup {
  plans: PlanWithTerms[];
  staffIdsByEmail: Map<string, string>;
  /** Lowercased emails already used by members of the organization. */
  emailsInUse: Set<string>;
  externalIdsInUse: Set<string>;
  /** Update mode: the members the rows may name, whose rows update them instead of being refused as taken. */
  existing?: ExistingMembers | undefined;
}

export interface RollCheck {
  accepted: NewMemberRow[];
  /** The spreadsheet's row number of each accepted row. */
  acceptedRows: number[];
  rejected: Rejection[];
  /** Update mode: rows naming a member already on the books that change them, and those that change nothing. */
  updates: MemberUpdate[];
  unchanged: Array<{ row: number; memberId: string; name: string }>;
  /** Rows whose email or member number belongs to a member already on the books (refused as taken, or naming them in update mode). */
  rowsNamingMembers: number;
}

const email = z.email().max(320);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MONEY_COLUMNS = { gross_wage: 'grossWageCents', hourly_wage: 'hourlyWageCents', chosen_amount: 'chosenAmountCents' } as const;
const COLUMN_OF_FACT: Record<keyof WageFacts, RollColumn> = {
  grossWageCents: 'gross_wage',
  payFrequency: 'pay_frequency',
  hourlyWageCents: 'hourly_wage',
  bracket: 'bracket',
  chosenAmountCents: 'chosen_amount',
};
const IMPORTED_DECISIONS: readonly StandingDecision[] = STANDING_DECISIONS.filter((decision) => decision !== 'suspended');
const LENGTH_LIMITS: Partial<Record<RollColumn, number>> = { name: 200, phone: 40, employer: 200, worksite: 200, member_class: 60, external_id: 100 };

/**
 * Validates every row of a roll against the organization's plans, staff and members and
 * against the other rows of the file; a pure function of its inputs. Each rejection names
 * the row, the column and the reason.
 */
export function checkRoll(rows: RollRow[], lookup: RollLookup): RollCheck {
  const accepted: NewMemberRow[] = [];
  const acceptedRows: number[] = [];
  const rejected: Rejection[] = [];
  const rowOfEmail = new Map<string, number>();
  const rowOfExternalId = new Map<string, number>();
  const rowOfMember = new Map<string, number>();
  const updates: MemberUpdate[] = [];
  const unchanged: RollCheck['unchanged'] = [];
  let rowsNamingMembers = 0;

  rows.forEach((row, index) => {
    const number = row.line ?? index + 2;
    const reject = (field: Rejection['field'], reason: string) => rejected.push({ row: number, field, reason });
    const before = rejected.length;
    if (row.overflow) {
      reject('row', 'the row has more cells than the header has columns');
      return;
    }

    for (const [column, limit] of Object.entries(LENGTH_LIMITS) as Array<[RollColumn, number]>) {
      if ((row[column]?.length ?? 0) > limit) reject(column, `longer than ${limit} characters`);
    }
    if (row.name === undefined) reject('name', 'a name is required');
    const match = lookup.existing && existingMemberOf(row, lookup.existing);

    const memberEmail = row.email?.toLowerCase();
    if (memberEmail === undefined) reject('email', 'an email is required');
    else if (!email.safeParse(row.email).success) reject('email', 'not an email address');
    else if (lookup.emailsInUse.has(memberEmail) && match?.email.toLowerCase() !== memberEmail) reject('email', 'a member of the organization already has this email');
    else if (rowOfEmail.has(memberEmail)) reject('email', `the same email as row ${rowOfEmail.get(memberEmail)}`);
    else rowOfEmail.set(memberEmail, number);

    const externalId = row.external_id;
    if ((memberEmail !== undefined && lookup.emailsInUse.has(memberEmail)) || (externalId !== undefined && lookup.externalIdsInUse.has(externalId))) rowsNamingMembers += 1;
    if (externalId !== undefined) {
      if (lookup.externalIdsInUse.has(externalId) && match?.external_id !== externalId) reject('external_id', match ? 'this member number belongs to another member than the email' : 'a member of the organization already has this external id');
      else if (rowOfExternalId.has(externalId)) reject('external_id', `the same external id as row ${rowOfExternalId.get(externalId)}`);
      else rowOfExternalId.set(externalId, number);
    }

    const language = (row.preferred_language?.toLowerCase() ?? 'en') as Language;
    if (!LANGUAGES.includes(language)) reject('preferred_language', `use one of: ${LANGUAGES.join(', ')}`);

    for (const column of ['joined_on', 'paid_through'] as const) {
      const day = row[column] === undefined ? undefined : calendarDay.safeParse(row[column]);
      if (day?.success === false) reject(column, day.error.issues[0]!.message);
    }

    const standingParsed = standingSchema.safeParse(row.standing?.toLowerCase() ?? 'pending');
    if (!standingParsed.success) reject('standing', `use one of: ${standingSchema.options.join(', ')}`);

    let organizerId: string | null = null;
    if (row.organizer_email !== undefined) {
      organizerId = lookup.staffIdsByEmail.get(row.organizer_email.toLowerCase()) ?? null;
      if (organizerId === null) reject('organizer_email', 'no staff member of the organization has this email');
    }

    const stated: WageFacts = {};
    for (const [column, fact] of Object.entries(MONEY_COLUMNS) as Array<[keyof typeof MONEY_COLUMNS, (typeof MONEY_COLUMNS)[keyof typeof MONEY_COLUMNS]]>) {
      const cell = row[column];
      if (cell === undefined) continue;
      const cents = parseDollars(cell);
      if (cents === undefined || cents > 100_000_000) reject(column, 'an amount in dollars and cents, such as 25.00');
      else stated[fact] = cents;
    }
    if (row.pay_frequency !== undefined) {
      const frequency = row.pay_frequency.toLowerCase();
      if (isPayFrequency(frequency)) stated.payFrequency = frequency;
      else reject('pay_frequency', `use one of: ${Object.keys(PAY_FREQUENCIES).join(', ')}`);
    }

    let plan: PlanWithTerms | undefined;
    if (row.plan !== undefined) {
      const wanted = row.plan.toLowerCase();
      plan = lookup.plans.find((candidate) => (UUID.test(wanted) ? candidate.plan.id === wanted : candidate.plan.name.toLowerCase() === wanted));
      if (!plan) reject('plan', 'no plan of the organization has this name or id');
      else if (plan.plan.status !== 'active') reject('plan', 'the plan is archived');
      else if (!plan.terms) reject('plan', 'the plan has no rate in effect today');
    }

    // A bracket is named by its label, or by its position counted from 0 as in the API.
    const rule = plan?.terms?.rule;
    if (row.bracket !== undefined) {
      const byLabel = rule?.kind === 'income_brackets' ? rule.brackets.findIndex((bracket) => bracket.label.toLowerCase() === row.bracket!.toLowerCase()) : -1;
      if (byLabel >= 0) stated.bracket = byLabel;
      else if (/^\d{1,2}$/.test(row.bracket) && Number(row.bracket) <= 19) stated.bracket = Number(row.bracket);
      else reject('bracket', 'not one of the plan’s brackets');
    }

    if (row.plan === undefined && Object.keys(stated).length > 0) reject('plan', 'wage columns go with a plan: name the plan too');

    let wageFacts = stated;
    const factsReadable = !rejected.slice(before).some((rejection) => (Object.values(COLUMN_OF_FACT) as string[]).includes(rejection.field));
    if (plan?.terms && factsReadable) {
      const check = checkWageFacts(plan.terms, stated);
      if (check.ok) wageFacts = check.wageFacts;
      else reject(COLUMN_OF_FACT[check.field], check.message);
    }

    // A second row naming the same member some other way (the first by email, this by number).
    if (match && rejected.length === before) {
      if (rowOfMember.has(match.id)) reject('row', `the same member as row ${rowOfMember.get(match.id)}`);
      else rowOfMember.set(match.id, number);
    }
    if (rejected.length > before) return;
    const next: NewMemberRow = {
      name: row.name!,
      email: row.email!,
      phone: row.phone ?? null,
      preferred_language: language,
      employer: row.employer ?? null,
      worksite: row.worksite ?? null,
      member_class: row.member_class ?? plan?.plan.member_class ?? 'regular',
      organizer_staff_user_id: organizerId,
      external_id: externalId ?? null,
      plan_id: plan?.plan.id ?? null,
      wage_facts: JSON.stringify(wageFacts),
      joined_on: row.joined_on ?? null,
      // The roll's paid-through date is a fact (payments made before this service kept them); the standing is derived from it.
      paid_through: row.paid_through ?? null,
      recorded_paid_through: row.paid_through ?? null,
      standing: standingParsed.data as Standing,
      // Resigned, dropped and exempt on a roll were people's decisions; the other standings follow from payments.
      standing_decision: IMPORTED_DECISIONS.includes(standingParsed.data as StandingDecision) ? (standingParsed.data as StandingDecision) : null,
    };
    if (match) {
      const { fields, changes } = memberChanges(match, row, next);
      if (fields.length === 0) unchanged.push({ row: number, memberId: match.id, name: match.name });
      else updates.push({ row: number, memberId: match.id, name: match.name, fields, changes });
      return;
    }
    acceptedRows.push(number);
    accepted.push(next);
  });
  return { accepted, acceptedRows, rejected, updates, unchanged, rowsNamingMembers };
}

/** The standing an imported member will have on a day, as the standing function gives it from what the roll says. */
export interface ImportedStanding {
  row: number;
  email: string;
  standing: Standing;
  reason: DerivedReason;
  monthsInArrears: number;
  paidThrough: string | null;
}

export interface ImportPreview {
  /** The day the standings are for: the next daily scan's. */
  on: string;
  members: ImportedStanding[];
  /** How many members will be in each standing. */
  standings: Partial<Record<Standing, number>>;
  lapsed: number;
  suspended: number;
  dropped: number;
}

/**
 * What an imported roll will look like on a day (the next scan's): each accepted row's
 * standing from its stated standing, recorded paid-through date and the policy, so that an
 * admin sees before importing how many members the rules will lapse, suspend or drop.
 */
export function previewImportedStandings(check: Pick<RollCheck, 'accepted' | 'acceptedRows'>, policy: RetentionPolicy, on: string): ImportPreview {
  const members = check.accepted.map((row, i) => {
    const derived = deriveStanding(
      factsWith({ current: row.standing ?? 'pending', decision: row.standing_decision ?? null, recordedPaidThrough: row.recorded_paid_through ?? null }),
      policy,
      on,
    );
    return { row: check.acceptedRows[i]!, email: row.email, standing: derived.standing, reason: derived.reason, monthsInArrears: derived.monthsInArrears, paidThrough: derived.paidThrough };
  });
  const standings: Partial<Record<Standing, number>> = {};
  for (const member of members) standings[member.standing] = (standings[member.standing] ?? 0) + 1;
  return { on, members, standings, lapsed: standings.lapsed ?? 0, suspended: standings.suspended ?? 0, dropped: standings.dropped ?? 0 };
}
