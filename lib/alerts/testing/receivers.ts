// Real receivers for alert deliveries, for tests, the benchmark and the e2e specs (not shipped: only
// tests import this): an SMTP server (the `smtp-server` package) that keeps what it receives, and an HTTP
// webhook receiver that verifies signatures exactly as docs/alerts.md tells a receiver to.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

type Waiter = { check: () => boolean; resolve: () => void };

function waiters() {
  const list: Waiter[] = [];
  return {
    /** Resolves once `check` holds (checked now and after each arrival); the caller's test timeout bounds it. */
    until(check: () => boolean): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve) => list.push({ check, resolve }));
    },
    notify() {
      for (const w of list.splice(0)) {
        if (w.check()) w.resolve();
        else list.push(w);
      }
    },
  };
}

export interface SmtpSink {
  port: number;
  messages: ParsedMail[];
  until(check: (messages: ParsedMail[]) => boolean): Promise<void>;
  stop(): Promise<void>;
}

/** A real SMTP server on loopback keeping every message, parsed. `port` 0 picks a free one. */
export async function startSmtpSink(opts: { port?: number } = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const w = waiters();
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'sink' }),
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
          w.notify();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    until: (check) => w.until(() => check(messages)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A receiver's check, as docs/alerts.md gives it: the signature over `id.timestamp.body` with the
 * base64-decoded secret, and the timestamp within five minutes. Written apart from lib/alerts on
 * purpose, so the tests check certfleet's signatures against the documented recipe, not against itself.
 */
export function documentedVerify(secret: string, headers: IncomingMessage['headers'], body: string, now = Date.now()): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(`v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`);
  return signature.split(' ').some((s) => Buffer.from(s).length === expected.length && timingSafeEqual(Buffer.from(s), expected));
}

export interface ReceivedRequest {
  id: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
  verified: boolean;
  /** What the receiver answered: a status, or 'hang' (never answered). */
  answer: number | 'hang';
}

export type Respond = (request: { id: string | undefined; n: number; body: string }) => number | 'hang';

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Verified requests whose webhook-id this receiver had not processed before: what it acted on. */
  processed: ReceivedRequest[];
  until(check: (r: WebhookReceiver) => boolean): Promise<void>;
  /** Lets every request still hanging end (the server then closes). */
  stop(): Promise<void>;
}

/**
 * An HTTP receiver on loopback that verifies each request (documentedVerify) and processes each
 * webhook-id once, as a receiver following docs/alerts.md does. `respond` decides its answer per request
 * (default 200); 'hang' holds the request open until stop(). `secret` may be a function, for a secret the
 * test learns later (one an ADMIN generates in the browser).
 */
export async function startWebhookReceiver(opts: { secret: string | (() => string); path?: string; respond?: Respond }): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const processed: ReceivedRequest[] = [];
  const seen = new Set<string>();
  const hanging = new Set<ServerResponse>();
  const w = waiters();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = typeof req.headers['webhook-id'] === 'string' ? req.headers['webhook-id'] : undefined;
      const answer = opts.respond?.({ id, n: requests.length, body }) ?? 200;
      const verified = documentedVerify(typeof opts.secret === 'function' ? opts.secret() : opts.secret, req.headers, body);
      const entry: ReceivedRequest = { id, headers: req.headers, body, verified, answer };
      requests.push(entry);
      if (answer === 'hang') {
        hanging.add(res);
      } else {
        // Acted on only when verified, answered with success, and not seen before (a retry of a message that did arrive).
        if (verified && answer >= 200 && answer < 300 && id && !seen.has(id)) {
          seen.add(id);
          processed.push(entry);
        }
        res.writeHead(verified ? answer : 401, { 'content-type': 'text/plain' });
        res.end(verified ? 'ok' : 'bad signature');
      }
      w.notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${opts.path ?? '/hooks/certfleet'}`,
    requests,
    processed,
    until: (check) => w.until(() => check(receiver)),
    stop: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}
