import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

// The one way the service writes HTML: components rendered on the server, where every
// string is escaped by the renderer, so forgetting to escape cannot happen.

/** A whole page, with the doctype the renderer does not write. */
export function renderDocument(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

/** A fragment (an email body's part, a cached piece of a page). */
export function renderFragment(node: VNode): string {
  return renderToString(node);
}
