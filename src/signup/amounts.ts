/**
 * How people write an amount of money in the form, in English or Spanish: `1200.50`,
 * `1,200.50`, `1.200,50`, `1200,50`, `1 200`, `$1,200`. A lone comma followed by exactly
 * three digits groups thousands (`1,200` is twelve hundred, as in the US and Mexico); a lone
 * point is a decimal point (`12.345` has too many decimals, not twelve thousand). Anything
 * that is not plainly an amount is refused with the reason, never guessed at.
 */
export type AmountReading = { ok: true; cents: number } | { ok: false; problem: 'unreadable' | 'too_precise' | 'too_large' };

// Regular, no-break, narrow no-break and thin spaces, as digit groupings are typed or pasted.
const SPACES = /[ \u00a0\u202f\u2009]/g;
const GROUPED = /^\d{1,3}(?:[.,]\d{3})*$/;

export function readAmount(raw: string): AmountReading {
  let text = raw.trim().replace(/^(?:US\$|\$|USD)\s*/i, '').replace(/\s*(?:USD|\$)$/i, '');
  // Spaces only ever group digits: "1 200" yes, "12 00.5" is not a way of writing money.
  if (/\d[ \u00a0\u202f\u2009]\d/.test(text) && !/^\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d*)?$/.test(text)) return { ok: false, problem: 'unreadable' };
  text = text.replace(SPACES, '');
  if (!/^\d[\d.,]*$/.test(text)) return { ok: false, problem: 'unreadable' };

  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  let whole = text;
  let fraction = '';
  if (lastDot >= 0 && lastComma >= 0) {
    // Both: the last one is the decimal mark and the other groups thousands.
    const mark = Math.max(lastDot, lastComma);
    whole = text.slice(0, mark);
    fraction = text.slice(mark + 1);
    const grouping = text[mark] === '.' ? ',' : '.';
    if (whole.includes(text[mark]!) || !GROUPED.test(whole) || whole.replaceAll(grouping, '').length === whole.length) return { ok: false, problem: 'unreadable' };
    whole = whole.replaceAll(grouping, '');
  } else if (lastDot >= 0 || lastComma >= 0) {
    const mark = text[Math.max(lastDot, lastComma)]!;
    const parts = text.split(mark);
    if (parts.length > 2 || (mark === ',' && parts[1]!.length === 3 && parts[0] !== '0')) {
      // 1,200 · 1.200.000: grouped thousands.
      if (!GROUPED.test(text)) return { ok: false, problem: 'unreadable' };
      whole = parts.join('');
    } else {
      whole = parts[0]!;
      fraction = parts[1]!;
    }
  }
  if (!/^\d+$/.test(whole) || !/^\d*$/.test(fraction)) return { ok: false, problem: 'unreadable' };
  if (fraction.length > 2) return { ok: false, problem: 'too_precise' };
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? { ok: true, cents } : { ok: false, problem: 'too_large' };
}
