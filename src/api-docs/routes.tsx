import type { AppContext } from '../context';
import { stylesheet } from '../html/assets';
import { renderDocument } from '../html/render';
import type { RouteDefinition } from '../http/routes';
import { openApiDocument } from './document';
import { ApiReferencePage } from './page';
import { openApiDocumentResponse } from './responses';
import packageJson from '../../package.json';

const CSS = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1b; }
header { background: #1d3557; color: #fff; padding: .5rem 1rem; }
header p { margin: 0; font-weight: 600; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; color: #1d3557; padding: .5rem; }
a:focus, a:focus-visible { outline: 3px solid #f4a261; outline-offset: 2px; }
section > section { border-top: 1px solid #ccc; padding-top: .5rem; }
.method { background: #1d3557; color: #fff; border-radius: 4px; padding: 0 .4rem; font-size: .85em; }
.access { color: #444; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; display: block; overflow-x: auto; }
caption { text-align: left; font-weight: 600; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
code { font-size: .95em; overflow-wrap: anywhere; }
td code { overflow-wrap: normal; white-space: nowrap; }
`;

/** GET /api/openapi.json and the reference page /api/docs, for every /api route of the table they are given. */
export function apiDocumentRoutes(ctx: AppContext, table: () => readonly RouteDefinition[]): RouteDefinition[] {
  const styles = stylesheet('/assets/api-reference.css', CSS, 'The API reference’s stylesheet');
  let document: string | undefined;
  let page: string | undefined;
  return [
    {
      method: 'get',
      path: '/api/openapi.json',
      responses: { 200: openApiDocumentResponse },
      access: 'public',
      summary: 'The OpenAPI 3.1 document of this API, generated from the schemas the routes validate with',
      handler: (_req, res) => {
        document ??= JSON.stringify(openApiDocument(table(), { version: packageJson.version, serverUrl: ctx.publicUrl }));
        res.type('json').send(document);
      },
    },
    {
      method: 'get',
      path: '/api/docs',
      otherContent: ['text/html'],
      access: 'public',
      summary: 'The API reference: every route with its parameters and body fields',
      handler: (_req, res) => {
        page ??= renderDocument(<ApiReferencePage routes={table()} stylesheet={styles.href} />);
        res.type('html').send(page);
      },
    },
    styles.route,
  ];
}
