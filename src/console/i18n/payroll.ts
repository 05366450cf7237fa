import type { RemittanceFileProblem } from '../../payroll/parse';

// Payroll deduction's later words (issue 22): explaining a remittance's payroll suspense, a
// new member from an unmatched line, the exceptions in pages, and why a file cannot be read.
// The catalogues carry them as `payroll`.

type Sign = 'more' | 'less';

export const payrollEn = {
  monthSuspenseUnexplained: (n: number) =>
    n === 1 ? '1 payroll remittance posted in the month leaves a difference in payroll suspense that no one has explained' : `${n} payroll remittances posted in the month leave a difference in payroll suspense that no one has explained`,
  monthSuspenseRemittance: (employer: string, amount: string) => `Remittance from ${employer}: ${amount} in suspense`,

  suspenseTitle: 'The difference in payroll suspense',
  suspenseHeld: (sign: Sign, amount: string) =>
    sign === 'more'
      ? `The employer sent ${amount} more than the lines matched to members. It stays in payroll suspense, and the month it was received cannot close, until you say what it is.`
      : `The lines matched to members come to ${amount} more than the employer sent. The difference stays in payroll suspense, and the month it was received cannot close, until you say what it is.`,
  suspenseLegend: 'What is the difference?',
  suspenseResolutions: (sign: Sign) => ({
    dues_income: sign === 'more' ? 'Dues: keep it as dues income' : 'Dues not received: take it out of dues income',
    employer: sign === 'more' ? 'A refund owed to the employer' : 'A shortfall the employer still owes',
  }),
  suspenseNote: 'Note: what happened',
  suspenseNoteHint: 'Required. For example: “overpaid for a member who left in October; refund asked for on the 3rd”.',
  suspenseExplain: 'Explain the difference',
  suspenseExplained: (day: string, what: string) => `Explained on ${day}: ${what}.`,
  suspenseNoneHeld: 'Nothing is in payroll suspense for this remittance.',
  suspenseNoteMissing: 'Write a note saying what happened',
  suspenseResolutionMissing: 'Choose what the difference is',
  suspenseExplainedNotice: 'The difference was explained and cleared out of payroll suspense.',
  suspenseAlreadyExplained: 'This difference was explained already; nothing was posted again.',

  addMember: 'Add as a new member',
  addMemberIntro: 'A member on payroll deduction with this employer, with the line’s employee number; the line is matched to them.',
  addMemberName: 'Name',
  addMemberEmail: 'Email',
  addMemberPhone: 'Phone (optional)',
  addMemberPlan: 'Dues plan',
  addMemberNoPlan: 'Add a dues plan before adding members from a remittance.',
  memberAddedNotice: 'The member was added on payroll deduction with this employer, and the line is matched to them.',

  exceptionsShown: (from: string, to: string, all: string) => `Showing ${from} to ${to} of ${all}.`,
  exceptionsPages: 'Pages of the list to check',
  exceptionsPrevious: 'Previous',
  exceptionsNext: 'Next',

  fileProblems: {
    empty: () => 'The file is empty.',
    not_text: () => 'The file is neither UTF-8 CSV text nor an XLSX workbook: save it as “CSV UTF-8” or as .xlsx.',
    csv_unreadable: () => 'The file is not readable CSV.',
    xlsx_unreadable: () => 'The workbook cannot be read.',
    no_sheet: () => 'The workbook has no sheets.',
    no_header: (headers: string) => `No row holds all the mapped column headers (${headers}): check the employer’s column mapping.`,
    no_lines: () => 'The file has a header row but no lines.',
    too_many_lines: (max: string) => `A remittance has at most ${max} lines.`,
  } satisfies Record<RemittanceFileProblem, (text: string) => string>,
};

export const payrollEs: typeof payrollEn = {
  monthSuspenseUnexplained: (n: number) =>
    n === 1 ? '1 remesa de nómina contabilizada en el mes deja una diferencia en nómina en suspenso que nadie ha explicado' : `${n} remesas de nómina contabilizadas en el mes dejan una diferencia en nómina en suspenso que nadie ha explicado`,
  monthSuspenseRemittance: (employer: string, amount: string) => `Remesa de ${employer}: ${amount} en suspenso`,

  suspenseTitle: 'La diferencia en nómina en suspenso',
  suspenseHeld: (sign: Sign, amount: string) =>
    sign === 'more'
      ? `El empleador envió ${amount} más que las líneas asignadas a miembros. Queda en nómina en suspenso, y el mes en que se recibió no se puede cerrar, hasta que usted diga qué es.`
      : `Las líneas asignadas a miembros suman ${amount} más de lo que envió el empleador. La diferencia queda en nómina en suspenso, y el mes en que se recibió no se puede cerrar, hasta que usted diga qué es.`,
  suspenseLegend: '¿Qué es la diferencia?',
  suspenseResolutions: (sign: Sign) => ({
    dues_income: sign === 'more' ? 'Cuotas: se queda como ingreso por cuotas' : 'Cuotas no recibidas: se resta del ingreso por cuotas',
    employer: sign === 'more' ? 'Un reembolso que se le debe al empleador' : 'Un faltante que el empleador aún debe',
  }),
  suspenseNote: 'Nota: qué pasó',
  suspenseNoteHint: 'Obligatoria. Por ejemplo: “pagó de más por un miembro que se fue en octubre; reembolso pedido el día 3”.',
  suspenseExplain: 'Explicar la diferencia',
  suspenseExplained: (day: string, what: string) => `Explicada el ${day}: ${what}.`,
  suspenseNoneHeld: 'No hay nada en nómina en suspenso para esta remesa.',
  suspenseNoteMissing: 'Escriba una nota que diga qué pasó',
  suspenseResolutionMissing: 'Elija qué es la diferencia',
  suspenseExplainedNotice: 'La diferencia se explicó y salió de nómina en suspenso.',
  suspenseAlreadyExplained: 'Esta diferencia ya se había explicado; no se contabilizó nada de nuevo.',

  addMember: 'Añadir como miembro nuevo',
  addMemberIntro: 'Un miembro con deducción de nómina de este empleador, con el número de empleado de la línea; la línea queda asignada a él.',
  addMemberName: 'Nombre',
  addMemberEmail: 'Correo electrónico',
  addMemberPhone: 'Teléfono (opcional)',
  addMemberPlan: 'Plan de cuotas',
  addMemberNoPlan: 'Añada un plan de cuotas antes de añadir miembros desde una remesa.',
  memberAddedNotice: 'Se añadió el miembro con deducción de nómina de este empleador, y la línea quedó asignada a él.',

  exceptionsShown: (from: string, to: string, all: string) => `Se muestran del ${from} al ${to} de ${all}.`,
  exceptionsPages: 'Páginas de la lista por revisar',
  exceptionsPrevious: 'Anterior',
  exceptionsNext: 'Siguiente',

  fileProblems: {
    empty: () => 'El archivo está vacío.',
    not_text: () => 'El archivo no es texto CSV en UTF-8 ni un libro XLSX: guárdelo como «CSV UTF-8» o como .xlsx.',
    csv_unreadable: () => 'El archivo no es un CSV legible.',
    xlsx_unreadable: () => 'El libro no se puede leer.',
    no_sheet: () => 'El libro no tiene hojas.',
    no_header: (headers: string) => `Ninguna fila tiene todos los encabezados de columna asignados (${headers}): revise la correspondencia de columnas del empleador.`,
    no_lines: () => 'El archivo tiene una fila de encabezados pero ninguna línea.',
    too_many_lines: (max: string) => `Una remesa tiene como máximo ${max} líneas.`,
  },
};
