import { renderDocument, renderFragment } from './render';

describe('the component layer', () => {
  test('escapes every string it is given, in text and in attributes', () => {
    const hostile = `<script>alert("x")</script>&'`;
    const html = renderFragment(
      <p title={hostile} data-x={hostile}>
        {hostile}
      </p>,
    );
    expect(html).not.toContain('<script>');
    expect(html).toBe(`<p title="&lt;script>alert(&quot;x&quot;)&lt;/script>&amp;'" data-x="&lt;script>alert(&quot;x&quot;)&lt;/script>&amp;'">&lt;script>alert(&quot;x&quot;)&lt;/script>&amp;'</p>`);
  });

  test('a document starts with the doctype', () => {
    expect(renderDocument(<html lang="en"><body /></html>)).toBe('<!doctype html><html lang="en"><body></body></html>');
  });
});
