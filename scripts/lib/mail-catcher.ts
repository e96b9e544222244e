import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * `npm start`'s local mail catcher: a real SMTP server on loopback that accepts every message and keeps
 * it as an .eml file under `<dir>`, and a small inbox page to read them. The demo's "Local inbox" alert
 * channel points at it, so alerts arrive as real mail without a mail account. Loopback only.
 */
export interface MailCatcher {
  smtpPort: number;
  inboxUrl: string;
  stop(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startMailCatcher(opts: { dir: string; smtpPort?: number; httpPort?: number }): Promise<MailCatcher> {
  mkdirSync(opts.dir, { recursive: true });
  const smtp = new SMTPServer({
    // A catcher, not a relay: no TLS, any (or no) login, every recipient accepted.
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'catcher' }),
    size: 10 * 1024 * 1024,
    logger: false,
    onData(stream, _session, callback) {
      const file = join(opts.dir, `${Date.now()}-${randomBytes(4).toString('hex')}.eml`);
      pipeline(stream, createWriteStream(file, { mode: 0o600 })).then(
        () => callback(),
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.smtpPort ?? 0, '127.0.0.1', () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const messages = () =>
    readdirSync(opts.dir)
      .filter((f) => /^\d+-[0-9a-f]+\.eml$/.test(f))
      .sort()
      .reverse();

  const page = (title: string, body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem;color:#111}a{color:#1d4ed8}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}
</style></head><body>${body}</body></html>`;

  const http: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const send = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
        res.end(body);
      };
      if (url.pathname === '/') {
        const rows = await Promise.all(
          messages()
            .slice(0, 200)
            .map(async (file) => {
              const mail = await simpleParser(readFileSync(join(opts.dir, file)), { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
              return `<tr><td>${escapeHtml(mail.date?.toISOString().replace('T', ' ').slice(0, 19) ?? '')}</td><td>${escapeHtml(mail.to ? [mail.to].flat().map((a) => a.text).join(', ') : '')}</td><td><a href="/m/${file}">${escapeHtml(mail.subject ?? '(no subject)')}</a></td></tr>`;
            }),
        );
        return send(
          200,
          'text/html; charset=utf-8',
          page(
            'certfleet mail catcher',
            `<h1>Local inbox</h1><p>Every message sent to 127.0.0.1:${smtpPort} (SMTP), newest first. ${rows.length} shown.</p>
<table><tr><th>Received (UTC)</th><th>To</th><th>Subject</th></tr>${rows.join('') || '<tr><td colspan="3">Nothing yet.</td></tr>'}</table>`,
          ),
        );
      }
      const match = /^\/m\/(\d+-[0-9a-f]+\.eml)(\/html)?$/.exec(url.pathname);
      if (match && messages().includes(match[1]!)) {
        const mail = await simpleParser(readFileSync(join(opts.dir, match[1]!)));
        // The HTML part is shown sandboxed: no scripts, no same-origin access.
        if (match[2]) return send(200, 'text/html; charset=utf-8', typeof mail.html === 'string' ? mail.html : '', { 'content-security-policy': 'sandbox' });
        return send(
          200,
          'text/html; charset=utf-8',
          page(
            mail.subject ?? 'message',
            `<p><a href="/">← Inbox</a></p><h1>${escapeHtml(mail.subject ?? '(no subject)')}</h1>
<p>From ${escapeHtml(mail.from?.text ?? '')} to ${escapeHtml(mail.to ? [mail.to].flat().map((a) => a.text).join(', ') : '')}, ${escapeHtml(mail.date?.toISOString() ?? '')}</p>
<pre>${escapeHtml(mail.text ?? '')}</pre>${mail.html ? `<p><a href="/m/${match[1]}/html">HTML version</a></p>` : ''}`,
          ),
        );
      }
      send(404, 'text/plain; charset=utf-8', 'not found');
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : 'error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.httpPort ?? 0, '127.0.0.1', () => resolve());
  });
  const inboxUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;

  return {
    smtpPort,
    inboxUrl,
    stop: async () => {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
