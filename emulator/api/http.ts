/** What every route of the local Cloudflare API shares: the handler shape, V4 pagination and query checks, the envelope. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as E from '../errors';
import type { ApiError } from '../errors';

const MAX_BODY_BYTES = 1024 * 1024;

export interface Ctx {
  req: IncomingMessage;
  query: URLSearchParams;
  params: Record<string, string>;
  body: Record<string, unknown>;
}

export interface Reply {
  status?: number;
  result: unknown;
  resultInfo?: Record<string, number>;
  /** Fields merged into the top level of the envelope (custom hostname DELETE returns `id` there). */
  top?: Record<string, unknown>;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export interface Route {
  pattern: string[];
  methods: Partial<Record<string, Handler>>;
}

export function intParam(q: URLSearchParams, name: string, def: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw E.invalidPagination(
      max === Number.MAX_SAFE_INTEGER ? `${name} must be a whole number of at least ${min}.` : `${name} must be a whole number from ${min} to ${max}.`,
    );
  }
  return n;
}

/** V4 page pagination; a page past the end is an empty list (the SDK's `for await` stops on it). */
export function paginate<T>(items: T[], q: URLSearchParams): { result: T[]; resultInfo: Record<string, number> } {
  const page = intParam(q, 'page', 1, 1)!;
  const perPage = intParam(q, 'per_page', 20, 5, 50)!;
  const result = items.slice((page - 1) * perPage, page * perPage);
  return {
    result,
    resultInfo: { page, per_page: perPage, count: result.length, total_count: items.length, total_pages: Math.ceil(items.length / perPage) },
  };
}

export function oneOf<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[], def?: T): T | undefined {
  const v = q.get(name);
  if (v === null || v === '') return def;
  if (!(allowed as readonly string[]).includes(v)) throw E.invalidPagination(`${name} must be one of ${allowed.join(', ')}.`);
  return v as T;
}

/** The JSON object of a request body ({} when empty); anything else is Cloudflare's invalid-JSON error. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw E.bodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw E.invalidJson();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw E.invalidJson();
  return parsed as Record<string, unknown>;
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(json),
    'cf-ray': `${randomBytes(8).toString('hex')}-LCL`,
    ...headers,
  });
  res.end(json);
}

export function sendError(res: ServerResponse, err: ApiError, headers: Record<string, string> = {}): void {
  send(res, err.status, { success: false, errors: err.errors, messages: [], result: null }, { ...headers, ...err.headers });
}
