import { detectDelimiter, parseAmount, parseDay, readStatement, sniffStatement, type StatementMapping } from './statement';

describe('reading bank statements', () => {
  test.each([
    ['Date,Amount,Description', ','],
    ['Fecha;Importe;Concepto', ';'],
    ['Date\tAmount\tMemo', '\t'],
    ['"Date; of booking",Amount,Memo', ','],
  ])('delimiter of %j', (header, expected) => {
    expect(detectDelimiter(`${header}\n`)).toBe(expected);
  });

  test.each<[string, boolean, number | null]>([
    ['1234.56', false, 123_456],
    ['1,234.56', false, 123_456],
    ['$1,234.56', false, 123_456],
    ['-45.10', false, -4_510],
    ['(45.10)', false, -4_510],
    ['45.10-', false, -4_510],
    ['+12', false, 1_200],
    ['1.234,56', true, 123_456],
    ['1 234,5', true, 123_450],
    ['-0,99 €', true, -99],
    ['12,5', false, null],
    ['1.234', true, 123_400],
    ['12.345', false, null],
    ['abc', false, null],
    ['', false, null],
  ])('amount %j (decimal comma %s) is %s cents', (text, decimalComma, expected) => {
    expect(parseAmount(text, decimalComma)).toBe(expected);
  });

  test.each<[string, 'YYYY-MM-DD' | 'MM/DD/YYYY' | 'DD/MM/YYYY', string | null]>([
    ['2026-11-03', 'YYYY-MM-DD', '2026-11-03'],
    ['2026-11-03 10:42', 'YYYY-MM-DD', '2026-11-03'],
    ['11/03/2026', 'MM/DD/YYYY', '2026-11-03'],
    ['3/11/26', 'DD/MM/YYYY', '2026-11-03'],
    ['03.11.2026', 'DD/MM/YYYY', '2026-11-03'],
    ['02/30/2026', 'MM/DD/YYYY', null],
    ['13/01/2026', 'MM/DD/YYYY', null],
    ['yesterday', 'YYYY-MM-DD', null],
  ])('day %j read as %s is %s', (text, format, expected) => {
    expect(parseDay(text, format)).toBe(expected);
  });

  test('a European statement: semicolons, decimal commas, days first, debit and credit columns', () => {
    const csv = '\uFEFFFecha;Concepto;Cargo;Abono\n03/11/2026;STRIPE PAYOUT;;1.234,56\n04/11/2026;Alquiler;500,00;\n13/11/2026;Ingreso cheques;;90,00\n';
    const sniff = sniffStatement(csv)!;
    expect(sniff.guess).toEqual({ delimiter: ';', decimalComma: true, dateColumn: 'Fecha', dateFormat: 'DD/MM/YYYY', amountColumn: null, debitColumn: 'Cargo', creditColumn: 'Abono', descriptionColumn: 'Concepto' });
    const read = readStatement(csv, sniff.guess);
    expect(read.errors).toEqual([]);
    expect(read.withdrawals).toBe(1);
    expect(read.deposits.map((d) => [d.row, d.bookedOn, d.amountCents, d.description])).toEqual([
      [2, '2026-11-03', 123_456, 'STRIPE PAYOUT'],
      [4, '2026-11-13', 9_000, 'Ingreso cheques'],
    ]);
  });

  test('an American statement: one signed amount column; identical lines keep apart by their occurrence', () => {
    const csv = 'Posted Date,Description,Amount,Balance\n11/03/2026,Deposit,25.00,100.00\n11/03/2026,Deposit,25.00,125.00\n11/04/2026,Fee,-2.00,123.00\n';
    const sniff = sniffStatement(csv)!;
    expect(sniff.guess).toMatchObject({ delimiter: ',', decimalComma: false, dateColumn: 'Posted Date', dateFormat: 'MM/DD/YYYY', amountColumn: 'Amount', descriptionColumn: 'Description' });
    const read = readStatement(csv, sniff.guess);
    expect(read.deposits).toHaveLength(2);
    expect(read.deposits[0]!.hash).not.toBe(read.deposits[1]!.hash);
    expect(readStatement(csv, sniff.guess).deposits.map((d) => d.hash)).toEqual(read.deposits.map((d) => d.hash));
  });

  test('rows that cannot be read are named by their row; a missing column is named', () => {
    const mapping: StatementMapping = { delimiter: ',', decimalComma: false, dateColumn: 'Date', dateFormat: 'YYYY-MM-DD', amountColumn: 'Amount', debitColumn: null, creditColumn: null, descriptionColumn: 'Memo' };
    expect(readStatement('Date,Amount,Memo\n2026-11-03,ten,x\nsoon,1.00,y\n', mapping).errors).toEqual([
      { row: 2, problem: 'amount', value: 'ten' },
      { row: 3, problem: 'day', value: 'soon' },
    ]);
    expect(readStatement('Day,Amount,Memo\n', mapping).errors).toEqual([{ row: 1, problem: 'column', value: 'Date' }]);
  });
});
