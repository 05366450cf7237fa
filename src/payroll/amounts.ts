/**
 * Amounts and hours as employers' payroll systems write them: "1,234.56", "1.234,56",
 * "12,50", "$ 45.00", "(3.00)" for a negative, or a spreadsheet's number. Pure.
 */

/** Hundredths from text or a spreadsheet number, or undefined when it is not a number. */
export function readHundredths(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 100) : undefined;
  if (typeof value !== 'string') return undefined;
  let text = value.trim().replace(/[\s\u00a0]/g, '').replace(/^(USD|CAD|EUR|\$|€)|(USD|CAD|EUR|\$|€)$/i, '');
  let sign = 1;
  if (/^\(.*\)$/.test(text)) {
    sign = -1;
    text = text.slice(1, -1);
  }
  if (text.startsWith('-')) {
    sign = -sign;
    text = text.slice(1);
  } else if (text.endsWith('-')) {
    sign = -sign;
    text = text.slice(0, -1);
  }
  text = text.replace(/^(\$|€)/, '');
  if (!/^[\d.,']+$/.test(text) || !/\d/.test(text)) return undefined;
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  let decimal: '.' | ',' | null = null;
  if (lastDot >= 0 && lastComma >= 0) decimal = lastDot > lastComma ? '.' : ',';
  else if (lastComma >= 0) {
    // "12,50" is twelve and a half; "1,234" is a thousand and more.
    const after = text.length - lastComma - 1;
    decimal = after === 3 && text.indexOf(',') === lastComma && !/^0,/.test(text) ? null : ',';
    if (decimal === ',' && text.indexOf(',') !== lastComma) return undefined;
  } else if (lastDot >= 0) {
    const after = text.length - lastDot - 1;
    // "1.234" with a single dot and three digits is ambiguous; payroll files write cents, so it is read as thousands only when more dots group it.
    decimal = text.indexOf('.') === lastDot ? '.' : after === 3 ? null : '.';
    if (decimal === '.' && text.indexOf('.') !== lastDot) return undefined;
  }
  const [whole, fraction = ''] = decimal === null ? [text.replace(/[.,']/g, '')] : [text.slice(0, text.lastIndexOf(decimal)).replace(/[.,']/g, ''), text.slice(text.lastIndexOf(decimal) + 1)];
  if (fraction.length > 2 || !/^\d*$/.test(whole) || !/^\d*$/.test(fraction)) return undefined;
  const hundredths = Number(whole || '0') * 100 + Number(fraction.padEnd(2, '0') || '0');
  return Number.isSafeInteger(hundredths) ? sign * hundredths : undefined;
}
