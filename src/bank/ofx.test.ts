import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOfx, OfxOtherCurrency, OfxUnreadable, readOfxStatement } from './ofx';

const SGML = readFileSync(join(__dirname, '..', '..', 'test', 'bank', 'files', 'checking-2026-11.ofx'), 'utf8');

/** An OFX 2 (XML) statement around the given transactions. */
const xml = (transactions: string, account = '<BANKID>1</BANKID><ACCTID>22</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE>') => `<?xml version="1.0" encoding="UTF-8"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<STMTRS><CURDEF>USD</CURDEF><BANKACCTFROM>${account}</BANKACCTFROM><BANKTRANLIST><DTSTART>20261101</DTSTART><DTEND>20261130</DTEND>
${transactions}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`;
const trn = (posted: string, amount: string, fitId: string | null, name: string) =>
  `<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>${posted}</DTPOSTED><TRNAMT>${amount}</TRNAMT>${fitId === null ? '' : `<FITID>${fitId}</FITID>`}<NAME>${name}</NAME></STMTTRN>`;

describe('OFX bank statements', () => {
  test.each([
    ['OFX 1 (SGML header)', SGML, true],
    ['OFX 2 (XML)', xml(''), true],
    ['OFX with a byte-order mark', `\uFEFF${SGML}`, true],
    ['a CSV statement', 'Date,Memo,Amount\n11/03/2026,STRIPE,200.00\n', false],
    ['a CSV whose memo mentions <OFX>', 'Date,Memo,Amount\n11/03/2026,<OFX>,200.00\n', false],
  ])('recognised by its header or root: %s', (_name, file, expected) => {
    expect(isOfx(file)).toBe(expected);
  });

  test('an OFX 1 (SGML) statement: deposits with the bank’s day, amount and name · memo; withdrawals counted', () => {
    const read = readOfxStatement(SGML, 'usd');
    expect(read).toMatchObject({ rowsRead: 4, withdrawals: 1, errors: [] });
    expect(read.deposits.map(({ row, bookedOn, amountCents, description }) => ({ row, bookedOn, amountCents, description }))).toEqual([
      { row: 1, bookedOn: '2026-11-03', amountCents: 20_000, description: 'STRIPE · TRANSFER ST-K3P9' },
      { row: 3, bookedOn: '2026-11-07', amountCents: 7_500, description: 'STRIPE · TRANSFER ST-Q8M2' },
      { row: 4, bookedOn: '2026-11-17', amountCents: 7_500, description: 'DEPOSIT · Dépôt caisse — Local 11' },
    ]);
  });

  test('a deposit is known by the bank’s id across overlapping downloads; without one, by its day, amount, name and occurrence', () => {
    const first = readOfxStatement(xml(trn('20261103', '200.00', 'A1', 'STRIPE') + trn('20261104', '10.00', null, 'CASH') + trn('20261104', '10.00', null, 'CASH')), 'usd');
    const again = readOfxStatement(xml(trn('20261103', '200.00', 'A1', 'STRIPE (corrected name)') + trn('20261104', '10.00', null, 'CASH')), 'usd');
    expect(again.deposits[0]!.hash).toBe(first.deposits[0]!.hash);
    expect(again.deposits[1]!.hash).toBe(first.deposits[1]!.hash);
    expect(first.deposits[2]!.hash).not.toBe(first.deposits[1]!.hash);
    const otherAccount = readOfxStatement(xml(trn('20261103', '200.00', 'A1', 'STRIPE'), '<BANKID>1</BANKID><ACCTID>99</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE>'), 'usd');
    expect(otherAccount.deposits[0]!.hash).not.toBe(first.deposits[0]!.hash);
  });

  test.each([
    ['XML entities decoded', trn('20261103', '165.00', 'E1', 'ACME &amp; SONS'), { bookedOn: '2026-11-03', amountCents: 16_500, description: 'ACME & SONS' }],
    ['a decimal comma', trn('20261103', '1234,50', 'C1', 'BANCO'), { bookedOn: '2026-11-03', amountCents: 123_450, description: 'BANCO' }],
    ['a time and zone after the day', trn('20261130235959.000[-8:PST]', '5.00', 'T1', 'LATE'), { bookedOn: '2026-11-30', amountCents: 500, description: 'LATE' }],
  ])('read: %s', (_name, transaction, expected) => {
    expect(readOfxStatement(xml(transaction), 'usd').deposits[0]).toMatchObject(expected);
  });

  test.each([
    ['a day that does not exist', trn('20261131', '5.00', 'D1', 'X'), { row: 1, problem: 'day', value: '20261131' }],
    ['no day', trn('', '5.00', 'D2', 'X'), { row: 1, problem: 'day', value: '' }],
    ['an amount that is not one', trn('20261103', 'five', 'D3', 'X'), { row: 1, problem: 'amount', value: 'five' }],
  ])('a transaction that cannot be read is named, not guessed: %s', (_name, transaction, problem) => {
    expect(readOfxStatement(xml(transaction), 'usd').errors).toEqual([problem]);
  });

  test.each([
    ['unclosed elements', '<OFX><BANKMSGSRSV1></OFX>'],
    ['no bank statement (a credit card one)', '<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>'],
    ['no OFX element', 'OFXHEADER:100\n\nhello'],
  ])('a file that is not a readable bank statement is refused: %s', (_name, file) => {
    expect(() => readOfxStatement(file, 'usd')).toThrow(OfxUnreadable);
  });

  test('a statement kept in another currency than the books is refused whole; the currency is compared whatever its case', () => {
    expect(() => readOfxStatement(xml(trn('20261103', '5.00', 'X1', 'X')).replace('<CURDEF>USD</CURDEF>', '<CURDEF>EUR</CURDEF>'), 'usd')).toThrow(new OfxOtherCurrency('EUR'));
    expect(readOfxStatement(xml(trn('20261103', '5.00', 'X1', 'X')), 'USD').deposits).toHaveLength(1);
    expect(readOfxStatement(xml(trn('20261103', '5.00', 'X1', 'X')).replace('<CURDEF>USD</CURDEF>', ''), 'cad').deposits).toHaveLength(1);
  });
});
