import 'server-only';
import { type NextRequest, NextResponse } from 'next/server';
import { z } from 'zod';
import type { Permission } from '@/lib/auth/permissions';
import type { SessionUser } from '@/lib/auth/errors';
import { requirePermission } from '@/lib/auth/session';
import { AppError, type ErrorBody, invalidInput } from '@/lib/errors';
import { readBytesLimited } from '@/worker/src/read-limited';
import { crossOriginReason, declaredLengthOver, isStateChanging, MAX_BODY_BYTES, nulFieldOf, nulMessage, tooLargeMessage } from './request-guard';

/*
 * The one wrapper of every route handler under app/api: permission → parse (path, query, JSON body, each
 * by its zod schema) → the handler → a Response. Expected failures (AppError) answer with their code's
 * status and `{ error: { code, message, fields?, details? } }`; anything else is logged and answered
 * with a 500 that says nothing about the inside.
 *
 * One place for every request to pass through, so request-wide rules go here, before the handler
 * (lib/server/request-guard.ts, docs/security.md): a state-changing request from another site's page is
 * a 403 CROSS_ORIGIN before anything else; a NUL byte anywhere in the path, query or body is a 400 (the
 * database cannot store one); a body over 1 MB (or the route's `maxBodyBytes`) is a 413; a schema a data
 * function applies itself (ZodError) is a 400, not a 500. JSON answers are `Cache-Control: no-store`.
 * API tokens (issue 17) go here too.
 */

/** A URL's query as a zod schema sees it: one string per key, or an array when the key repeats. */
export type RawQuery = Record<string, string | string[]>;

interface RouteSpec<TParams, TQuery, TBody> {
  /** Checked first: 401 signed out, 403 without it; nothing is read before. */
  permission: Permission;
  /** The path's dynamic segments (`[id]`); a mismatch is a 400. */
  params?: z.ZodType<TParams>;
  /** The query (see RawQuery); a mismatch is a 400. */
  query?: z.ZodType<TQuery>;
  /** A JSON body (`Content-Type: application/json`, else 415; unreadable 400; a mismatch 422). Without it the body is not read. */
  body?: z.ZodType<TBody>;
  /** The largest JSON body taken, in bytes (default MAX_BODY_BYTES, 1 MB); longer is a 413. */
  maxBodyBytes?: number;
}

export interface RouteInput<TParams, TQuery, TBody> {
  request: NextRequest;
  user: SessionUser;
  params: TParams;
  query: TQuery;
  body: TBody;
}

/** What Next passes as a route handler's second argument (params of a route without segments: `{}`). */
interface RouteContext {
  params: Promise<Record<string, string | string[] | undefined>>;
}

/** A handler answers with a Response (files, streams, a status other than 200) or with data sent as JSON. */
type Handler<TParams, TQuery, TBody> = (input: RouteInput<TParams, TQuery, TBody>) => Promise<Response | object> | Response | object;

/**
 * @example
 * export const GET = route({ permission: 'certificate:view', params: IdParams }, async ({ user, params }) => {
 *   const certificate = await getCertificate(user, params.id);
 *   if (!certificate) throw new AppError('NOT_FOUND', 'No such certificate.');
 *   return certificate;
 * });
 */
export function route<TParams = Record<string, never>, TQuery = undefined, TBody = undefined>(
  spec: RouteSpec<TParams, TQuery, TBody>,
  handler: Handler<TParams, TQuery, TBody>,
): (request: NextRequest, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      if (isStateChanging(request.method)) {
        const crossOrigin = crossOriginReason(request.headers);
        if (crossOrigin) throw new AppError('CROSS_ORIGIN', crossOrigin);
      }
      const user = await requirePermission(spec.permission);
      const rawParams = (await context?.params) ?? {};
      const search = rawQuery(request.nextUrl.searchParams);
      refuseNul(rawParams);
      refuseNul(search);
      const params = spec.params ? parseOr400(spec.params, rawParams) : ({} as TParams);
      const query = spec.query ? parseOr400(spec.query, search) : (undefined as TQuery);
      const body = spec.body ? parseBody(spec.body, refuseNul(await readJson(request, spec.maxBodyBytes ?? MAX_BODY_BYTES))) : (undefined as TBody);
      const answer = await handler({ request, user, params, query, body });
      return noStore(answer instanceof Response ? answer : NextResponse.json(answer));
    } catch (error) {
      return noStore(errorResponse(error, request));
    }
  };
}

/** An error as the answer to `request`: an AppError with its status and message, anything else a logged 500. */
export function errorResponse(error: unknown, request: Pick<NextRequest, 'method' | 'nextUrl'>): Response {
  // A schema applied inside a data function (`Schema.parse`) refusing what the route's own schema let by.
  if (error instanceof z.ZodError) error = invalidInput(error, { code: 'BAD_REQUEST' });
  if (error instanceof AppError) {
    const body: ErrorBody = {
      error: {
        code: error.code,
        message: error.message,
        ...(error.fieldErrors ? { fields: error.fieldErrors } : {}),
        ...(error.details ? { details: error.details } : {}),
      },
    };
    const headers: Record<string, string> = error.retryAfter ? { 'retry-after': String(Math.ceil(error.retryAfter)) } : {};
    return NextResponse.json(body, { status: error.httpStatus, headers });
  }
  // A bug or an outage: the log gets everything, the answer a reference to find it by and nothing else.
  const reference = crypto.randomUUID().slice(0, 8);
  console.error(`${request.method} ${request.nextUrl.pathname} failed [${reference}]:`, error);
  const body: ErrorBody = {
    error: { code: 'INTERNAL', message: `certfleet could not answer this request (reference ${reference} in the server log). Nothing you sent was wrong; try again later.` },
  };
  return NextResponse.json(body, { status: 500 });
}

/** JSON (and error) answers are per user and per moment: never stored by a browser or a proxy. */
function noStore(response: Response): Response {
  if (!response.headers.has('cache-control') && response.headers.get('content-type')?.startsWith('application/json')) {
    response.headers.set('cache-control', 'no-store');
  }
  return response;
}

/** A NUL byte anywhere in `value` is a 400 naming where: PostgreSQL text cannot hold one (error 22021). */
function refuseNul<T>(value: T): T {
  const field = nulFieldOf(value);
  if (field) throw new AppError('BAD_REQUEST', nulMessage(field), { fieldErrors: { [field.split('.')[0]!]: ['Contains a NUL byte (\\u0000).'] } });
  return value;
}

function parseOr400<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(parsed.error, { code: 'BAD_REQUEST' });
  return parsed.data;
}

function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data;
}

function rawQuery(search: URLSearchParams): RawQuery {
  const raw: RawQuery = {};
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    raw[key] = values.length === 1 ? values[0]! : values;
  }
  return raw;
}

/**
 * The JSON body. Requiring `application/json` also means a cross-site HTML form cannot post here:
 * browsers only send that type after a CORS preflight.
 */
async function readJson(request: Request, limit: number): Promise<unknown> {
  if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send a JSON body (Content-Type: application/json).');
  }
  if (declaredLengthOver(request.headers, limit)) throw new AppError('PAYLOAD_TOO_LARGE', tooLargeMessage(limit));
  const text = await readText(request, limit);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', 'The body is not valid JSON.');
  }
}

/** The body as text, stopping (413) as soon as it passes `limit` bytes, whatever Content-Length claimed. */
async function readText(request: Request, limit: number): Promise<string> {
  const bytes = await readBytesLimited(request.body, limit);
  if (!bytes) throw new AppError('PAYLOAD_TOO_LARGE', tooLargeMessage(limit));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
