import type { Language } from '../../db/database';
import { renderDocument } from '../html/render';

export interface EmailContent {
  title: string;
  /** Each paragraph's line breaks are kept (a digest's grouped lists). */
  paragraphs: string[];
  action?: { label: string; url: string } | undefined;
  footer: string;
  language?: Language | undefined;
}

// Inline styles: many mail clients drop a stylesheet.
const BODY = 'font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:560px';
const BUTTON = 'display:inline-block;padding:10px 16px;background:#14532d;color:#fff;text-decoration:none;border-radius:4px';
const SMALL = 'font-size:13px;color:#555';

const URL_IN_TEXT = /(https?:\/\/[^\s<>"]+)/;

/** A line of text with its web addresses as links, so the HTML part can be followed like the text part. */
function Linked({ line }: { line: string }) {
  return <>{line.split(URL_IN_TEXT).map((part, i) => (i % 2 === 1 ? <a href={part}>{part}</a> : part))}</>;
}

function Lines({ text }: { text: string }) {
  const lines = text.split('\n');
  return (
    <>
      {lines.map((line, i) => (
        <>
          {i > 0 ? <br /> : null}
          <Linked line={line} />
        </>
      ))}
    </>
  );
}

/** The HTML twin of every email: the same words as the text part, with a button for the link. */
export function emailHtml(content: EmailContent): string {
  return renderDocument(
    <html lang={content.language ?? 'en'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{content.title}</title>
      </head>
      <body style={BODY}>
        <h1 style="font-size:20px">{content.title}</h1>
        {content.paragraphs.map((paragraph) => (
          <p>
            <Lines text={paragraph} />
          </p>
        ))}
        {content.action ? (
          <>
            <p>
              <a href={content.action.url} style={BUTTON}>
                {content.action.label}
              </a>
            </p>
            <p style={SMALL}>{content.action.url}</p>
          </>
        ) : null}
        <hr />
        <p style={SMALL}>{content.footer}</p>
      </body>
    </html>,
  );
}
