import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  /** Where mail goes, for the start-up log. */
  readonly description: string;
  send(message: OutgoingEmail): Promise<{ messageId: string }>;
  close(): void;
}

export function smtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport(smtpUrl);
  const target = new URL(smtpUrl);
  return {
    description: `SMTP ${target.hostname}:${target.port || '25'}`,
    async send(message) {
      const info = await transporter.sendMail(message);
      return { messageId: info.messageId };
    },
    close: () => transporter.close(),
  };
}

/** Writes each message as an .eml file, so that a person running the service locally can open their sign-in link. */
export function fileTransport(directory: string, logger: Logger, now: () => Date): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const absolute = path.resolve(directory);
  return {
    description: `files under ${absolute}`,
    async send(message) {
      const info = await transporter.sendMail(message);
      mkdirSync(absolute, { recursive: true });
      const safeRecipient = message.to.replace(/[^A-Za-z0-9@._-]/g, '_');
      const file = path.join(absolute, `${now().toISOString().replace(/[:.]/g, '-')}-${safeRecipient}.eml`);
      writeFileSync(file, info.message as Buffer);
      // The .eml body is quoted-printable; the links are logged as well so a person can click them.
      const links = message.text.match(/https?:\/\/\S+/g) ?? [];
      logger.info({ file, to: message.to, subject: message.subject, links }, `email to ${message.to} written to ${file}`);
      return { messageId: info.messageId };
    },
    close: () => transporter.close(),
  };
}
