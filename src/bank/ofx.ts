import { createHash } from 'node:crypto';
import { parseSync } from 'ofx-js';
import { lineHash, parseAmount, type StatementLine, type StatementRead } from './statement';

/**
 * Reading a bank statement downloaded as OFX (Open Financial Exchange: 1.x SGML or 2.x XML,
 * parsed by ofx-js). OFX names its own fields, so it needs no column mapping; each
 * transaction carries the bank's own id (FITID), which identifies a deposit across
 * overlapping downloads. Pure.
 */

/** Whether an uploaded statement is OFX rather than CSV: its header or its root element. */
export function isOfx(text: string): boolean {
  const head = text.replace(/^\uFEFF/, '').slice(0, 4000).trimStart();
  return /^OFXHEADER\s*:/i.test(head) || /<\?OFX\b/i.test(head) || (/^<\?xml\b/i.test(head) && /<OFX>/i.test(head)) || /^<OFX>/i.test(head);
}

/** The file is not OFX that can be read, or holds no bank statement. */
export class OfxUnreadable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'OfxUnreadable';
  }
}

type Loose = Record<string, unknown>;
const asList = (value: unknown): Loose[] => (Array.isArray(value) ? (value as Loose[]) : value && typeof value === 'object' ? [value as Loose] : []);
const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** OFX's date-time ('YYYYMMDD', optionally with a time and zone): the bank's own day. */
function ofxDay(value: string): string | null {
  const match = /^(\d{4})(\d{2})(\d{2})/.exec(value);
  if (!match) return null;
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day) ? `${year}-${month}-${day}` : null;
}

/** A statement kept in another currency than the organization's books. */
export class OfxOtherCurrency extends Error {
  constructor(readonly currency: string) {
    super(`the statement is kept in ${currency}`);
    this.name = 'OfxOtherCurrency';
  }
}

/**
 * Every transaction of every bank statement in the file: the deposits, how many
 * withdrawals, and the transactions that could not be read (numbered from 1 in file
 * order). A statement in another currency than `currency` (the books') refuses the file.
 */
export function readOfxStatement(file: string, currency: string): StatementRead {
  let parsed: ReturnType<typeof parseSync>;
  try {
    parsed = parseSync(file.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new OfxUnreadable(error instanceof Error ? error.message : String(error));
  }
  const ofx = parsed.OFX as unknown;
  if (!ofx || typeof ofx !== 'object') throw new OfxUnreadable('no <OFX> element');
  const statements = asList((ofx as Loose).BANKMSGSRSV1).flatMap((messages) => asList(messages.STMTTRNRS)).flatMap((response) => asList(response.STMTRS));
  if (statements.length === 0) throw new OfxUnreadable('no bank statement (<STMTRS>) in the file');

  const read: StatementRead = { rowsRead: 0, deposits: [], withdrawals: 0, errors: [] };
  const occurrences = new Map<string, number>();
  for (const statement of statements) {
    const kept = text(statement.CURDEF).toLowerCase();
    if (kept !== '' && kept !== currency.toLowerCase()) throw new OfxOtherCurrency(kept.toUpperCase());
    const account = asList(statement.BANKACCTFROM)[0] ?? {};
    for (const transaction of asList(asList(statement.BANKTRANLIST)[0]?.STMTTRN)) {
      read.rowsRead += 1;
      const row = read.rowsRead;
      const bookedOn = ofxDay(text(transaction.DTPOSTED));
      if (bookedOn === null) {
        read.errors.push({ row, problem: 'day', value: text(transaction.DTPOSTED).slice(0, 40) });
        continue;
      }
      const amountText = text(transaction.TRNAMT);
      // The standard writes a decimal point; some banks write a decimal comma instead.
      const amountCents = parseAmount(amountText, !amountText.includes('.') && amountText.includes(','));
      if (amountCents === null) {
        read.errors.push({ row, problem: 'amount', value: amountText.slice(0, 40) });
        continue;
      }
      if (amountCents <= 0) {
        read.withdrawals += amountCents < 0 ? 1 : 0;
        continue;
      }
      const description = [text(transaction.NAME), text(transaction.MEMO)].filter((part) => part !== '').join(' · ').split('\u0000').join('').replace(/\s+/g, ' ').slice(0, 500);
      const fitId = text(transaction.FITID);
      let hash: string;
      if (fitId !== '') {
        hash = createHash('sha256').update(`ofx\u0000${text(account.BANKID)}\u0000${text(account.ACCTID)}\u0000${fitId}`).digest('hex');
      } else {
        const key = `${bookedOn}\u0000${amountCents}\u0000${description}`;
        const occurrence = occurrences.get(key) ?? 0;
        occurrences.set(key, occurrence + 1);
        hash = lineHash(bookedOn, amountCents, description, occurrence);
      }
      read.deposits.push({ row, bookedOn, amountCents, description, hash } satisfies StatementLine);
    }
  }
  return read;
}
