import type { Plan } from '../../db/database';
import { ApiError } from '../http/errors';
import { checkRoll, readRoll, type RollLookup, type RollRow } from './import';
import type { PlanWithTerms } from './queries';

const HEADER = 'name,email,plan,gross_wage,pay_frequency';

describe('readRoll: the shape of the file', () => {
  test('reads rows by header, trims cells, leaves blank cells out, skips blank lines; each row keeps the number a spreadsheet shows', () => {
    const rows = readRoll('\uFEFFName, Email ,plan\n Ana , ana@example.org ,\n\n"Ruiz, Bo",bo@example.org,Regular\n');
    expect(rows).toEqual([
      { name: 'Ana', email: 'ana@example.org', line: 2 },
      { name: 'Ruiz, Bo', email: 'bo@example.org', plan: 'Regular', line: 4 },
    ]);
  });

  test.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('row numbers with %s line ends: a blank line counts, a cell over two lines is numbered where it starts', (_name, eol) => {
    const rows = readRoll(['name,email', 'Ana,ana@example.org', '', '"Bo', 'Ruiz",bo@example.org', 'Cy,cy@example.org'].join(eol));
    expect(rows.map((row) => [row.name?.replace(/\r\n/g, '\n'), row.line])).toEqual([
      ['Ana', 2],
      ['Bo\nRuiz', 4],
      ['Cy', 6],
    ]);
  });

  test('a row with more cells than columns is marked, not shifted', () => {
    expect(readRoll('name,email\nAna,ana@example.org,extra\n')).toEqual([{ name: 'Ana', email: 'ana@example.org', overflow: true, line: 2 }]);
  });

  test.each<[string, string, RegExp]>([
    ['an empty file', '', /empty/],
    ['only blank lines', '\n\n', /empty/],
    ['a header and no rows', 'name,email\n', /no members/],
    ['unknown columns, named', 'name,email,shoe_size,Salary\nA,a@example.org,9,1\n', /unknown columns: shoe_size, salary/],
    ['a column twice', 'name,email,email\n', /twice: email/],
    ['a column without a name', 'name,email,\nA,a@example.org,x\n', /unknown columns: \(column 3 has no name\)/],
    ['no email column', 'name,phone\nA,1\n', /missing columns: email/],
    ['a quote never closed', 'name,email\n"Ana,ana@example.org\n', /not readable CSV/],
  ])('%s → 400', (_case, text, message) => {
    let thrown: unknown;
    try {
      readRoll(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect((thrown as ApiError).status).toBe(400);
    expect((thrown as ApiError).message).toMatch(message);
  });

  test('the header names the file had are reported for unknown columns', () => {
    expect(() => readRoll(`${HEADER},nickname\n`)).toThrow(expect.objectContaining({ details: expect.objectContaining({ unknownColumns: ['nickname'] }) }));
  });
});

const ORGANIZATION = 'a0000000-0000-4000-8000-000000000000';
function plan(id: string, name: string, status: 'active' | 'archived' = 'active'): Plan {
  return {
    id,
    organization_id: ORGANIZATION,
    name,
    member_class: name === 'Retiree' ? 'retiree' : 'regular',
    currency: 'usd',
    billing_interval: 'month',
    billing_interval_count: 1,
    status,
    stripe_product_id: null,
    description: null,
    translations: {},
    display_order: 0,
    visible_on_signup: true,
    preselected: false,
    archived_at: null,
    created_at: new Date(),
    updated_at: new Date(),
  };
}
const monthly = { interval: 'month', intervalCount: 1 } as const;
const FLAT = 'f0000000-0000-4000-8000-000000000001';
const PERCENT = 'f0000000-0000-4000-8000-000000000002';
const PLANS: PlanWithTerms[] = [
  { plan: plan(FLAT, 'Regular'), terms: { rule: { kind: 'flat', amountCents: 2500 }, period: monthly } },
  { plan: plan(PERCENT, 'Percent'), terms: { rule: { kind: 'percent_of_wages', basisPoints: 210, minimumCents: 2500, maximumCents: 7500 }, period: monthly } },
  { plan: plan('f0000000-0000-4000-8000-000000000003', 'Retiree'), terms: { rule: { kind: 'flat', amountCents: 1000 }, period: monthly } },
  { plan: plan('f0000000-0000-4000-8000-000000000004', 'Old', 'archived'), terms: { rule: { kind: 'flat', amountCents: 1000 }, period: monthly } },
  { plan: plan('f0000000-0000-4000-8000-000000000005', 'Next year'), terms: undefined },
  {
    plan: plan('f0000000-0000-4000-8000-000000000006', 'Sliding'),
    terms: { rule: { kind: 'income_brackets', brackets: [{ label: 'Under 20k', amountCents: 500 }, { label: 'Over 20k', amountCents: 6000 }] }, period: monthly },
  },
];
const LOOKUP: RollLookup = {
  plans: PLANS,
  staffIdsByEmail: new Map([['organizer@local.example.org', 'c0000000-0000-4000-8000-000000000001']]),
  emailsInUse: new Set(['taken@example.org']),
  externalIdsInUse: new Set(['L7-TAKEN']),
};
const ok: RollRow = { name: 'Ana', email: 'ana@example.org' };

describe('checkRoll: each row against the organization and the rest of the file', () => {
  test.each<[string, RollRow, Array<[string, RegExp]>]>([
    ['a name and an email are enough', ok, []],
    ['no name', { email: 'x@example.org' }, [['name', /required/]]],
    ['no email', { name: 'X' }, [['email', /required/]]],
    ['not an email', { name: 'X', email: 'not-an-email' }, [['email', /not an email/]]],
    ['an email already in use, in other letters', { name: 'X', email: 'Taken@Example.org' }, [['email', /already has this email/]]],
    ['an external id already in use', { ...ok, external_id: 'L7-TAKEN' }, [['external_id', /already has this external id/]]],
    ['an unknown plan', { ...ok, plan: 'Gold' }, [['plan', /no plan/]]],
    ['an archived plan', { ...ok, plan: 'old' }, [['plan', /archived/]]],
    ['a plan with no rate yet', { ...ok, plan: 'Next year' }, [['plan', /no rate in effect/]]],
    ['a plan by its id', { ...ok, plan: FLAT }, []],
    ['wages without a plan', { ...ok, gross_wage: '2000.00' }, [['plan', /go with a plan/]]],
    ['percent plan without wages', { ...ok, plan: 'Percent', pay_frequency: 'monthly' }, [['gross_wage', /gross wages/]]],
    ['percent plan without a frequency', { ...ok, plan: 'Percent', gross_wage: '2000.00' }, [['pay_frequency', /how often/]]],
    ['wages that are not money', { ...ok, plan: 'Percent', gross_wage: '2000.005', pay_frequency: 'monthly' }, [['gross_wage', /dollars and cents/]]],
    ['an unknown pay frequency', { ...ok, plan: 'Percent', gross_wage: '2000', pay_frequency: 'fortnightly' }, [['pay_frequency', /use one of/]]],
    ['a bracket by label', { ...ok, plan: 'Sliding', bracket: 'over 20K' }, []],
    ['a bracket that does not exist', { ...ok, plan: 'Sliding', bracket: '7' }, [['bracket', /brackets/]]],
    ['a bracket that is not a bracket', { ...ok, plan: 'Sliding', bracket: 'rich' }, [['bracket', /brackets/]]],
    ['an unknown language', { ...ok, preferred_language: 'fr' }, [['preferred_language', /en, es/]]],
    ['an impossible day', { ...ok, joined_on: '2026-02-30', paid_through: '11/30/2026' }, [['joined_on', /YYYY-MM-DD/], ['paid_through', /YYYY-MM-DD/]]],
    ['year zero', { ...ok, joined_on: '0000-01-01' }, [['joined_on', /between 1900 and 2999/]]],
    ['an unknown standing', { ...ok, standing: 'great' }, [['standing', /use one of/]]],
    ['an organizer who is not staff', { ...ok, organizer_email: 'someone@example.org' }, [['organizer_email', /no staff member/]]],
    ['a name too long', { ...ok, name: 'x'.repeat(201) }, [['name', /longer than 200/]]],
    ['cells beyond the header', { ...ok, overflow: true }, [['row', /more cells/]]],
    ['every fault of a row is reported', { name: 'X', email: 'bad', standing: 'great', plan: 'Gold' }, [['email', /not an email/], ['standing', /use one of/], ['plan', /no plan/]]],
  ])('%s', (_case, row, faults) => {
    const { rejected, accepted } = checkRoll([row], LOOKUP);
    expect(rejected.map((r) => [r.field, r.reason])).toEqual(faults.map(([field, reason]) => [field, expect.stringMatching(reason)]));
    // The first row after the header: row 2 of the sheet.
    expect(rejected.every((r) => r.row === 2)).toBe(true);
    expect(accepted).toHaveLength(faults.length === 0 ? 1 : 0);
  });

  test('duplicates within the file are rejected on the later row, naming the first', () => {
    const { rejected, accepted } = checkRoll(
      [ok, { name: 'Bo', email: 'bo@example.org', external_id: 'E1' }, { name: 'Ana again', email: 'ANA@example.org' }, { name: 'Cy', email: 'cy@example.org', external_id: 'E1' }],
      LOOKUP,
    );
    expect(rejected).toEqual([
      { row: 4, field: 'email', reason: 'the same email as row 2' },
      { row: 5, field: 'external_id', reason: 'the same external id as row 3' },
    ]);
    expect(accepted.map((member) => member.email)).toEqual(['ana@example.org', 'bo@example.org']);
  });

  test('an accepted row becomes a member row: money to cents, defaults from the plan, only the facts the plan reads', () => {
    const { accepted } = checkRoll(
      [
        {
          name: 'Ana',
          email: 'Ana@Example.org',
          plan: 'percent',
          gross_wage: '$2,000.00',
          pay_frequency: 'Monthly',
          hourly_wage: '15.50',
          preferred_language: 'ES',
          standing: 'Active',
          paid_through: '2026-11-30',
          organizer_email: 'ORGANIZER@local.example.org',
        },
        { name: 'Old timer', email: 'old@example.org', plan: 'Retiree' },
        { name: 'Sliding', email: 's@example.org', plan: 'Sliding', bracket: '1' },
      ],
      LOOKUP,
    );
    expect(accepted[0]).toMatchObject({
      email: 'Ana@Example.org',
      plan_id: PERCENT,
      member_class: 'regular',
      preferred_language: 'es',
      standing: 'active',
      paid_through: '2026-11-30',
      organizer_staff_user_id: 'c0000000-0000-4000-8000-000000000001',
      wage_facts: JSON.stringify({ grossWageCents: 200_000, payFrequency: 'monthly' }),
    });
    expect(accepted[1]).toMatchObject({ member_class: 'retiree', standing: 'pending', wage_facts: '{}' });
    expect(accepted[2]).toMatchObject({ wage_facts: JSON.stringify({ bracket: 1 }) });
  });
});
