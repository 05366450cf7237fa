/** Decimal places of a currency's minor unit (2 for usd, 0 for jpy), from the runtime's ICU data. */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Integer minor units as a decimal string ('2500', 'usd' → '25.00'), by integer arithmetic only. */
export function formatMinorUnits(cents: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = cents < 0 ? '-' : '';
  const magnitude = Math.abs(cents);
  if (digits === 0) return `${sign}${magnitude}`;
  const scale = 10 ** digits;
  return `${sign}${Math.floor(magnitude / scale)}.${String(magnitude % scale).padStart(digits, '0')}`;
}

/** Fixed-width columns two spaces apart, sized to their content; numbers right-aligned, trailing blanks trimmed. */
export function renderTable(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [header, ...rows].map(line).join('\n');
}
