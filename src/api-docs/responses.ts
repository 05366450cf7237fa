import { z } from 'zod';

/** GET /api/openapi.json: an OpenAPI 3.1 document (its whole shape is the OpenAPI specification's, checked by the validator in test/api-docs.test.ts). */
export const openApiDocumentResponse = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});
