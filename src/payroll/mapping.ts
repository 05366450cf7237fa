import { z } from 'zod';

/**
 * Which column of an employer's remittance file holds what, by the header text the file
 * uses (matched ignoring case and surrounding spaces). Set with the first file and kept
 * on the employer. A file names people by employee number, by name, or both; the name may
 * be one column or two (last and first).
 */
const header = z.string().trim().min(1).max(100);

export const columnMappingSchema = z
  .object({
    employeeNumber: header.optional(),
    name: header.optional(),
    firstName: header.optional(),
    amount: header,
    hours: header.optional(),
    wages: header.optional(),
    period: header.optional(),
  })
  .strict()
  .refine((mapping) => mapping.employeeNumber !== undefined || mapping.name !== undefined, { message: 'map the employee number column, the name column, or both', path: ['employeeNumber'] })
  .refine((mapping) => mapping.firstName === undefined || mapping.name !== undefined, { message: 'a first-name column goes with a (last) name column', path: ['firstName'] });

export type ColumnMapping = z.infer<typeof columnMappingSchema>;
export type MappedField = keyof ColumnMapping;
