import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHundredths } from './amounts';
import { guessDelimiter, readRemittance, RemittanceFileError } from './parse';

const file = (name: string) => readFileSync(join(__dirname, '../../test/payroll/files', name));

describe('readHundredths', () => {
  test.each([
    ['25.00', 2500],
    ['$25.00', 2500],
    ['$ 1,234.56', 123456],
    ['1.234,56', 123456],
    ['25,00', 2500],
    ['1 025,50', 102550],
    ['1,234', 123400],
    ['38,5', 3850],
    ['40', 4000],
    ['(3.00)', -300],
    ['-3.00', -300],
    ['0,75', 75],
    [25, 2500],
    [2857.14, 285714],
    ['n/a', undefined],
    ['', undefined],
    ['12.345', undefined],
    ['1,2,3', undefined],
  ])('%p is %p hundredths', (text, expected) => {
    expect(readHundredths(text)).toBe(expected);
  });
});

describe('guessDelimiter', () => {
  test.each([
    ['a,b,c\n1,2,3', ','],
    ['a;b;c\n1;"2,5";3', ';'],
    ['a\tb\n1\t2', '\t'],
  ])('%p', (text, expected) => expect(guessDelimiter(text)).toBe(expected));
});

describe('the three employers’ layouts', () => {
  test('CSV with a header row, quoted thousands and a totals line: the totals and blank lines are skipped, a bad amount is kept with its problem', async () => {
    const lines = await readRemittance(file('acme-hospital.csv'), { employeeNumber: 'Employee ID', name: 'Employee Name', amount: 'Union Dues', wages: 'Gross Wages', hours: 'hours' });
    expect(lines.map((l) => [l.row, l.employeeNumber, l.name, l.amountCents])).toEqual([
      [2, 'A1001', 'Ana Torres', 2500],
      [3, 'A1002', 'Ben Okafor', 2500],
      [4, 'A1003', 'Carla Nguyen', 6000],
      [5, null, 'Johnson, Eve', 2500],
      [6, 'A1099', 'Frank Unknown', 2500],
      [7, 'A1005', 'Gil Perez', null],
    ]);
    expect(lines[2]).toMatchObject({ wagesCents: 285714, hoursHundredths: 8000, problem: null });
    expect(lines[5]!.problem).toBe('the amount "n/a" is not a number');
  });

  test('XLSX with merged title cells above the header, last and first names apart, numbers that lost their leading zeros, a formula total', async () => {
    const lines = await readRemittance(file('riverside-schools.xlsx'), { name: 'Last Name', firstName: 'First Name', employeeNumber: 'Emp No', amount: 'Deduction' });
    expect(lines.map((l) => [l.row, l.employeeNumber, l.name, l.amountCents])).toEqual([
      [5, '42', 'Grace Lee', 1500],
      [6, '43', 'Hector Ruiz', 2500],
      [7, null, 'Maria Garcia', 2500],
      [8, '777', 'Ana Torres', 2500],
      [9, null, 'I. Novak', 2500],
    ]);
  });

  test('semicolon-separated with decimal commas and CRLF line ends', async () => {
    const lines = await readRemittance(file('boulangerie-quebec.csv'), { employeeNumber: 'Matricule', name: 'Nom', amount: 'Cotisation syndicale', hours: 'Heures' });
    expect(lines.map((l) => [l.row, l.employeeNumber, l.name, l.amountCents, l.hoursHundredths])).toEqual([
      [2, '501', 'Tremblay, Jean', 2500, 3850],
      [3, '502', 'Roy, Louise', 2500, 4000],
      [4, '503', 'Paul Martin', 2500, 4000],
    ]);
  });

  test('a mapping whose headers are not in the file, an empty file, and a file of headers only are refused as a whole', async () => {
    await expect(readRemittance(file('acme-hospital.csv'), { employeeNumber: 'Emp #', amount: 'Dues' })).rejects.toThrow(RemittanceFileError);
    await expect(readRemittance(Buffer.alloc(0), { name: 'Name', amount: 'Dues' })).rejects.toThrow('the file is empty');
    await expect(readRemittance(Buffer.from('Name,Dues\n'), { name: 'Name', amount: 'Dues' })).rejects.toThrow('no lines');
    await expect(readRemittance(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]), { name: 'Name', amount: 'Dues' })).rejects.toThrow('the workbook cannot be read');
  });
});
