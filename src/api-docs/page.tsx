import type { RouteDefinition } from '../http/routes';
import { apiRoutes, openApiPath, operationId, tagOf, toJsonSchema } from './document';

type JsonSchema = Record<string, unknown>;

interface Field {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** `kind is "flat"` for one variant of a union told apart by a constant field. */
function discriminatorOf(variant: JsonSchema): string | undefined {
  const entry = Object.entries((variant.properties ?? {}) as Record<string, JsonSchema>).find(([, property]) => property.const !== undefined);
  return entry ? `${entry[0]} is ${JSON.stringify(entry[1].const)}` : undefined;
}

/** A schema's type in a few words: `string (uuid)`, `"flat" | "percent_of_wages"`, `array of object`. */
export function typeWords(schema: JsonSchema | undefined): string {
  if (!schema) return 'any';
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (variants?.every((variant) => discriminatorOf(variant) !== undefined)) return `one of: ${variants.map((variant) => discriminatorOf(variant)).join('; ')}`;
  if (variants) return variants.map(typeWords).join(' or ');
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : String(schema.type ?? 'any');
  if (type === 'array') return `array of ${typeWords(schema.items as JsonSchema | undefined)}`;
  const format = typeof schema.format === 'string' ? ` (${schema.format})` : '';
  return `${type}${format}`;
}

/** The fields of an object schema, nested ones written with dots (amountRule.kind), as a reader looks them up. */
export function fieldsOf(schema: JsonSchema, prefix = '', when?: string): Field[] {
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (variants && variants.every((variant) => variant.type === 'object')) return variants.flatMap((variant) => fieldsOf(variant, prefix, discriminatorOf(variant)));
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).flatMap(([name, property]) => {
    const path = `${prefix}${name}`;
    const notes = [typeof property.description === 'string' ? property.description : '', when !== undefined && property.const === undefined ? `When ${when}.` : ''].filter(Boolean).join(' ');
    const own: Field = { name: path, type: typeWords(property), required: required.has(name), description: notes };
    const nested = property.type === 'object' || property.anyOf || property.oneOf ? fieldsOf(property, `${path}.`) : [];
    return [own, ...nested];
  });
}

function FieldTable({ caption, fields }: { caption: string; fields: Field[] }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
          <th scope="col">Notes</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((field) => (
          <tr key={field.name}>
            <td>
              <code>{field.name}</code>
            </td>
            <td>{field.type}</td>
            <td>{field.required ? 'yes' : 'no'}</td>
            <td>{field.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Operation({ route }: { route: RouteDefinition }) {
  const id = operationId(route);
  const pathFields = route.params ? fieldsOf(toJsonSchema(route.params, 'input')) : [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({ name: name!, type: 'string', required: true, description: '' }));
  const queryFields = route.query ? fieldsOf(toJsonSchema(route.query, 'input')) : [];
  const bodySchema = route.requestBody ? toJsonSchema(route.requestBody, 'input') : undefined;
  return (
    <section id={id} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        <span class="method">{route.method.toUpperCase()}</span> <code>{openApiPath(route.path)}</code>
      </h3>
      <p>
        {route.summary} <span class="access">{route.access === 'public' ? 'Public.' : `Roles: ${route.access.join(', ')}.`}</span>
      </p>
      {pathFields.length > 0 ? <FieldTable caption="Path parameters" fields={pathFields} /> : null}
      {queryFields.length > 0 ? <FieldTable caption="Query parameters" fields={queryFields} /> : null}
      {bodySchema ? <FieldTable caption="Request body (JSON)" fields={fieldsOf(bodySchema)} /> : null}
      {route.body === 'csv' ? <p>Request body: CSV text (<code>Content-Type: text/csv</code>).</p> : null}
    </section>
  );
}

/** The API reference, served from our own origin: every /api route with its inputs, from the same schemas as the JSON document. */
export function ApiReferencePage({ routes, stylesheet }: { routes: readonly RouteDefinition[]; stylesheet: string }) {
  const byTag = new Map<string, RouteDefinition[]>();
  for (const route of apiRoutes(routes)) byTag.set(tagOf(route.path), [...(byTag.get(tagOf(route.path)) ?? []), route]);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>API reference · Good Standing</title>
        <link rel="stylesheet" href={stylesheet} />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to the reference
        </a>
        <header>
          <p>Good Standing</p>
        </header>
        <main id="main">
          <h1>API reference</h1>
          <p>
            Every call acts in the organization of its session or bearer token; another organization’s ids answer 404. Errors are{' '}
            <code>{'{"error": {"code", "message", "details"}}'}</code>; a 400 lists each invalid field. The machine-readable document is{' '}
            <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
          </p>
          <nav aria-label="Capabilities">
            <ul>
              {[...byTag.keys()].map((tag) => (
                <li key={tag}>
                  <a href={`#tag-${tag}`}>{tag}</a>
                </li>
              ))}
            </ul>
          </nav>
          {[...byTag.entries()].map(([tag, tagged]) => (
            <section key={tag} aria-labelledby={`tag-${tag}`}>
              <h2 id={`tag-${tag}`}>{tag}</h2>
              {tagged.map((route) => (
                <Operation key={`${route.method} ${route.path}`} route={route} />
              ))}
            </section>
          ))}
        </main>
      </body>
    </html>
  );
}
