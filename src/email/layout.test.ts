import { layout } from './templates';

describe('email layout', () => {
  test('the HTML twin escapes what people typed, keeps line breaks and links the addresses the text carries', () => {
    const email = layout({
      title: 'Local <7> & friends',
      paragraphs: ['Rosa "<b>" Díaz\n  http://gs.test/console/members/1?a=1&b=2'],
      action: { label: 'Open', url: 'http://gs.test/console/workspace' },
      footer: 'Good Standing',
      language: 'es',
    });
    expect(email.html).toContain('<html lang="es">');
    expect(email.html).toContain('<h1 style="font-size:20px">Local &lt;7> &amp; friends</h1>');
    expect(email.html).toContain('<p>Rosa &quot;&lt;b>&quot; Díaz<br/>  <a href="http://gs.test/console/members/1?a=1&amp;b=2">http://gs.test/console/members/1?a=1&amp;b=2</a></p>');
    expect(email.html).not.toContain('<b>');
    expect(email.text).toBe('Rosa "<b>" Díaz\n  http://gs.test/console/members/1?a=1&b=2\n\nOpen: http://gs.test/console/workspace\n\n--\n\nGood Standing');
  });
});
