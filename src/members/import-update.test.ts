import { indexExisting, existingMemberOf, memberChanges, type ExistingMember } from './import-update';
import type { NewMemberRow } from './queries';

const ROSA: ExistingMember = {
  id: 'm-rosa',
  name: 'Rosa Ruiz',
  email: 'Rosa@example.org',
  phone: '555-0101',
  preferred_language: 'es',
  employer: 'Acme',
  worksite: 'Plant 2',
  member_class: 'regular',
  external_id: 'L9-1',
  plan_id: 'plan-a',
  wage_facts: { payFrequency: 'weekly', grossWageCents: 100000 },
  organizer_staff_user_id: null,
  standing: 'active',
};
const next = (changes: Partial<NewMemberRow>): NewMemberRow => ({ ...ROSA, wage_facts: JSON.stringify(ROSA.wage_facts), standing: 'pending', ...changes }) as NewMemberRow;

describe('memberChanges: only the cells a row fills are compared', () => {
  test.each([
    ['identical row', { name: 'Rosa Ruiz', email: 'rosa@example.org' }, {}, []],
    ['email differing in case only', { email: 'ROSA@EXAMPLE.ORG' }, { email: 'ROSA@EXAMPLE.ORG' }, []],
    ['new phone', { phone: '555-0199' }, { phone: '555-0199' }, ['phone']],
    ['blank phone cell leaves the phone', {}, { phone: null }, []],
    ['new worksite and member number', { worksite: 'Plant 3', external_id: 'L9-7' }, { worksite: 'Plant 3', external_id: 'L9-7' }, ['worksite', 'external_id']],
    ['same plan, wage facts in another key order', { plan: 'Regular' }, { wage_facts: JSON.stringify({ grossWageCents: 100000, payFrequency: 'weekly' }) }, []],
    ['same plan, new wages', { plan: 'Regular' }, { wage_facts: JSON.stringify({ grossWageCents: 120000, payFrequency: 'weekly' }) }, ['plan']],
    ['another plan', { plan: 'Retiree' }, { plan_id: 'plan-b' }, ['plan']],
    ['paid-through and standing on the roll are not taken', { paid_through: '2020-01-31', standing: 'lapsed' }, { paid_through: '2020-01-31', recorded_paid_through: '2020-01-31', standing: 'lapsed' as const }, []],
  ] as const)('%s', (_name, cells, values, fields) => {
    const { fields: changed, changes } = memberChanges(ROSA, { ...cells }, next(values as Partial<NewMemberRow>));
    expect(changed).toEqual(fields);
    if (fields.length === 0) expect(changes).toEqual({});
  });
});

describe('existingMemberOf: by email first, then by member number', () => {
  const existing = indexExisting([ROSA, { ...ROSA, id: 'm-bao', email: 'bao@example.org', external_id: 'L9-2' }]);
  test.each([
    ['email, any case', { email: 'rosa@EXAMPLE.org' }, 'm-rosa'],
    ['member number only', { email: 'new@example.org', external_id: 'L9-2' }, 'm-bao'],
    ['email wins over number', { email: 'bao@example.org', external_id: 'L9-1' }, 'm-bao'],
    ['neither', { email: 'new@example.org', external_id: 'L9-9' }, undefined],
  ] as const)('%s', (_name, row, id) => {
    expect(existingMemberOf(row, existing)?.id).toBe(id);
  });
});
