import { matchLines, nameKey, numberKey, similarNames, type MemberRef } from './match';
import type { RemittanceLine } from './parse';

const EMPLOYER = 'employer-1';
const OTHER = 'employer-2';
const members: MemberRef[] = [
  { id: 'ana', name: 'Ana Torres', employerId: EMPLOYER, employeeNumber: 'A1001' },
  { id: 'grace', name: 'Grace Lee', employerId: EMPLOYER, employeeNumber: '0042' },
  { id: 'eve', name: 'Eve Johnson', employerId: EMPLOYER, employeeNumber: null },
  { id: 'maria1', name: 'María García', employerId: EMPLOYER, employeeNumber: '50' },
  { id: 'maria2', name: 'Maria Garcia', employerId: EMPLOYER, employeeNumber: '51' },
  { id: 'irene', name: 'Irene Novak', employerId: EMPLOYER, employeeNumber: null },
  { id: 'sophie', name: 'Sophie Gagnon', employerId: EMPLOYER, employeeNumber: '503' },
  { id: 'hector', name: 'Hector Ruiz', employerId: EMPLOYER, employeeNumber: '43' },
  { id: 'moved', name: 'Paula Schmidt', employerId: OTHER, employeeNumber: 'X9' },
  { id: 'nodeduction', name: 'Omar Haddad', employerId: null, employeeNumber: null },
];

const line = (row: number, employeeNumber: string | null, name: string | null): RemittanceLine => ({ row, employeeNumber, name, amountCents: 2500, hoursHundredths: null, wagesCents: null, period: null, problem: null });

describe('matchLines', () => {
  test.each([
    ['exact: employee number', line(2, 'A1001', 'Ana Torres'), { memberId: 'ana', matchedBy: 'employee_number', proposed: [], reason: null }],
    ['exact: number without its leading zeros (a spreadsheet dropped them)', line(2, '42', 'Lee, Grace'), { memberId: 'grace', matchedBy: 'employee_number' }],
    ['exact: number, no name in the file', line(2, 'A1001', null), { memberId: 'ana', matchedBy: 'employee_number' }],
    ['exact: name as "Last, First" within the employer, no number either side', line(2, null, 'JOHNSON, Eve'), { memberId: 'eve', matchedBy: 'name' }],
    ['exact: name when the file has a number the member has not', line(2, 'E77', 'Eve Johnson'), { memberId: 'eve', matchedBy: 'name' }],
    ['uncertain: the number is a member’s but the name is another person’s', line(2, '503', 'Paul Martin'), { memberId: null, proposed: ['sophie'], reason: 'number_name_differs' }],
    ['uncertain: the name is a member’s but the numbers differ', line(2, '99', 'Hector Ruiz'), { memberId: null, proposed: ['hector'], reason: 'name_number_differs' }],
    ['uncertain: two members of that name (accents aside)', line(2, null, 'Maria Garcia'), { memberId: null, proposed: ['maria1', 'maria2'], reason: 'same_name' }],
    ['uncertain: an initial for a first name', line(2, null, 'I. Novak'), { memberId: null, proposed: ['irene'], reason: 'similar_name' }],
    ['uncertain: a member on another employer’s list (changed employer)', line(2, 'R5', 'Paula Schmidt'), { memberId: null, proposed: ['moved'], reason: 'other_employer' }],
    ['uncertain: a member not on payroll deduction', line(2, null, 'Omar Haddad'), { memberId: null, proposed: ['nodeduction'], reason: 'other_employer' }],
    ['unmatched: nobody of that number or name', line(2, 'A1099', 'Frank Unknown'), { memberId: null, matchedBy: null, proposed: [], reason: null }],
    ['unmatched: a single word of a name is not evidence', line(2, null, 'Novak'), { memberId: null, proposed: [] }],
  ])('%s', (_title, given, expected) => {
    expect(matchLines([given], EMPLOYER, members)[0]).toMatchObject(expected);
  });

  test('a member of another employer is never matched by number there', () => {
    expect(matchLines([line(2, 'X9', null)], EMPLOYER, members)[0]).toMatchObject({ memberId: null, proposed: [] });
    expect(matchLines([line(2, 'X9', null)], OTHER, members)[0]).toMatchObject({ memberId: 'moved', matchedBy: 'employee_number' });
  });
});

describe('name and number keys', () => {
  test.each([
    ['García, María', 'garcia maria'],
    ['  Maria   GARCIA ', 'garcia maria'],
    ["O'Brien-Smith, Seán", 'brien o sean smith'],
  ])('nameKey(%p)', (name, key) => expect(nameKey(name)).toBe(key));
  test.each([
    ['00042', '42'],
    [' a-17 ', 'A-17'],
    ['0', '0'],
  ])('numberKey(%p)', (number, key) => expect(numberKey(number)).toBe(key));
  test.each([
    ['I. Novak', 'Irene Novak', true],
    ['Maria Garcia Lopez', 'Maria Garcia', true],
    ['Novak', 'Irene Novak', false],
    ['Ian Novak', 'Irene Novak', false],
  ])('similarNames(%p, %p) is %p', (a, b, expected) => expect(similarNames(a, b)).toBe(expected));
});
