import { z } from 'zod';

// Building blocks of the API's declared responses (see RouteDefinition.responses), in the
// JSON form the client receives: instants as ISO 8601 with an offset, days as YYYY-MM-DD.

export const instant = z.iso.datetime({ offset: true });
export const day = z.iso.date();
export const id = z.uuid();

/** A list answer: its rows under `data`, and where the next page starts, if any. */
export const listOf = <T extends z.ZodType>(row: T, next?: Record<string, z.ZodType>) => z.object({ data: z.array(row), ...next }).strict();
