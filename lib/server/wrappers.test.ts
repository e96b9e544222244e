import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import type { Permission } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';

// The signed-in user is chosen per test; requirePermission is the real rule (assertCan) applied to it, as
// lib/data/readings.test.ts does. Next's revalidation and redirect need a request, so they are recorded.
const holder = vi.hoisted(() => ({ user: null as SessionUser | null, revalidated: [] as unknown[][] }));
vi.mock('@/lib/auth/session', () => ({
  requirePermission: async (permission: Permission) => {
    assertCan(holder.user, permission);
    return holder.user;
  },
}));
vi.mock('next/cache', () => ({ revalidatePath: (...args: unknown[]) => holder.revalidated.push(args) }));
vi.mock('next/navigation', () => ({
  redirect: (url: string) => {
    throw new Error(`NEXT_REDIRECT ${url}`);
  },
}));

const { route } = await import('./route');
const { action } = await import('./action');

const admin: SessionUser = { id: 'u-admin', email: 'admin@wrappers.test', name: 'Admin', role: 'ADMIN' };
const manager: SessionUser = { id: 'u-manager', email: 'manager@wrappers.test', name: 'Manager', role: 'MANAGER' };

afterEach(() => {
  holder.user = null;
  holder.revalidated = [];
  vi.restoreAllMocks();
});

/** A schema that records whether anything reached it. */
function watched<T extends z.ZodType>(schema: T) {
  const seen: unknown[] = [];
  return { seen, schema: z.unknown().transform((value) => (seen.push(value), value)).pipe(schema) };
}

function post(url: string, body: string | null, contentType = 'application/json') {
  return new NextRequest(`http://certfleet.test${url}`, { method: 'POST', body, headers: body === null ? {} : { 'content-type': contentType } });
}

const context = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });

describe('route()', () => {
  const Body = z.object({ name: z.string().min(1, 'Enter a name.'), count: z.number().int() });

  it('refuses before reading anything: 401 signed out, 403 without the permission', async () => {
    const params = watched(z.object({ id: z.string() }));
    const body = watched(Body);
    const handler = vi.fn(() => ({ ok: true }));
    const POST = route({ permission: 'users:manage', params: params.schema, body: body.schema }, handler);

    const anonymous = post('/api/x/1', JSON.stringify({ name: 'a', count: 1 }));
    const refused = await POST(anonymous, context({ id: '1' }));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'You are not signed in.' } });
    expect(anonymous.bodyUsed).toBe(false);

    holder.user = manager;
    const forbidden = await POST(post('/api/x/1', JSON.stringify({ name: 'a', count: 1 })), context({ id: '1' }));
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'You do not have permission to manage users.' } });

    expect(params.seen).toEqual([]);
    expect(body.seen).toEqual([]);
    expect(handler).not.toHaveBeenCalled();
  });

  it('parses path, query and body, and sends the handler’s data as JSON', async () => {
    holder.user = admin;
    const POST = route(
      { permission: 'users:manage', params: z.object({ id: z.string().max(3) }), query: z.object({ tag: z.array(z.string()) }), body: Body },
      ({ params, query, body, user }) => ({ id: params.id, tags: query.tag, name: body.name, by: user.email }),
    );
    const answer = await POST(post('/api/x/abc?tag=a&tag=b', JSON.stringify({ name: 'n', count: 2 })), context({ id: 'abc' }));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ id: 'abc', tags: ['a', 'b'], name: 'n', by: admin.email });
  });

  it('answers bad requests with their code, status and fields', async () => {
    holder.user = admin;
    const handler = vi.fn(() => ({}));
    const POST = route({ permission: 'users:manage', params: z.object({ id: z.string().max(3, 'Too long.') }), body: Body }, handler);
    const good = JSON.stringify({ name: 'n', count: 1 });

    const longId = await POST(post('/api/x/abcd', good), context({ id: 'abcd' }));
    expect(longId.status).toBe(400);
    expect(await longId.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'id: Too long.', fields: { id: ['Too long.'] } } });

    const form = await POST(post('/api/x/a', 'name=n', 'application/x-www-form-urlencoded'), context({ id: 'a' }));
    expect(form.status).toBe(415);
    expect((await form.json()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const broken = await POST(post('/api/x/a', '{"name":'), context({ id: 'a' }));
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'The body is not valid JSON.' } });

    const invalid = await POST(post('/api/x/a', JSON.stringify({ name: '', count: 1.5 })), context({ id: 'a' }));
    expect(invalid.status).toBe(422);
    const { error } = await invalid.json();
    expect(error).toMatchObject({ code: 'BAD_INPUT', message: 'Check the highlighted fields.', fields: { name: ['Enter a name.'] } });
    expect(error.fields.count).toHaveLength(1);
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers an AppError with its code’s status, details and Retry-After', async () => {
    holder.user = admin;
    const GET = route({ permission: 'dashboard:view' }, () => {
      throw new AppError('RATE_LIMITED', 'Cloudflare asks to wait.', { retryAfter: 60, details: { retryable: true } });
    });
    const answer = await GET(new NextRequest('http://certfleet.test/api/x'), context());
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('60');
    expect(await answer.json()).toEqual({ error: { code: 'RATE_LIMITED', message: 'Cloudflare asks to wait.', details: { retryable: true } } });
  });

  it('answers anything else with a logged 500 that tells nothing of the inside', async () => {
    holder.user = admin;
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const GET = route({ permission: 'dashboard:view' }, () => {
      throw new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
    });
    const answer = await GET(new NextRequest('http://certfleet.test/api/x'), context());
    expect(answer.status).toBe(500);
    const text = await answer.text();
    expect(text).not.toMatch(/ECONNREFUSED|hunter2|10\.0\.0\.7/);
    const reference = JSON.parse(text).error.message.match(/reference (\w+)/)?.[1];
    expect(JSON.parse(text).error.code).toBe('INTERNAL');
    expect(String(logged.mock.calls[0]?.[0])).toContain(`GET /api/x failed [${reference}]`);
    expect(logged.mock.calls[0]?.[1]).toBeInstanceOf(Error);
  });

  it('passes a Response through', async () => {
    holder.user = admin;
    const GET = route({ permission: 'dashboard:view' }, () => new Response('pem', { status: 200, headers: { 'content-type': 'application/x-pem-file' } }));
    const answer = await GET(new NextRequest('http://certfleet.test/api/x'), context());
    expect(answer.headers.get('content-type')).toBe('application/x-pem-file');
    expect(await answer.text()).toBe('pem');
  });
});

describe('action()', () => {
  const Schema = z.object({ email: z.email('Enter a valid email address.'), password: z.string().min(12, 'Use at least 12 characters.'), id: z.string().min(1, 'Missing id.') });
  const form = (fields: Record<string, string>) => {
    const data = new FormData();
    for (const [key, value] of Object.entries(fields)) data.append(key, value);
    data.append('$ACTION_ID_abc', '');
    return data;
  };

  it('refuses before reading anything', async () => {
    const schema = watched(Schema);
    const run = vi.fn(async () => ({ message: 'done' }));
    const act = action({ permission: 'users:manage', schema: schema.schema, revalidate: ['/users'] }, run);

    expect(await act(null, form({ email: 'a@b.test', password: 'x'.repeat(12), id: '1' }))).toEqual({
      ok: false,
      code: 'UNAUTHENTICATED',
      message: 'You are not signed in.',
    });
    holder.user = manager;
    expect(await act(null, form({ email: 'a@b.test', password: 'x'.repeat(12), id: '1' }))).toMatchObject({ ok: false, code: 'FORBIDDEN', message: 'You do not have permission to manage users.' });
    expect(schema.seen).toEqual([]);
    expect(run).not.toHaveBeenCalled();
    expect(holder.revalidated).toEqual([]);
  });

  it('returns bad input beside its fields, types the values back but never a password', async () => {
    holder.user = admin;
    const run = vi.fn(async () => ({ message: 'done' }));
    const act = action({ permission: 'users:manage', schema: Schema, fields: ['email', 'password'] }, run);
    expect(await act(null, form({ email: 'nope', password: 'short', id: '1' }))).toEqual({
      ok: false,
      code: 'BAD_INPUT',
      message: 'Check the highlighted fields.',
      fieldErrors: { email: ['Enter a valid email address.'], password: ['Use at least 12 characters.'] },
      values: { email: 'nope' },
    });
    // A field the form has no place for (a hidden id) is said in the message.
    expect(await act(null, form({ email: 'a@b.test', password: 'x'.repeat(12), id: '' }))).toMatchObject({ ok: false, message: 'Missing id.' });
    expect(run).not.toHaveBeenCalled();
  });

  it('turns an AppError into a failure and rethrows anything else to error.tsx', async () => {
    holder.user = admin;
    const input = form({ email: 'a@b.test', password: 'x'.repeat(12), id: '1' });
    const taken = action({ permission: 'users:manage', schema: Schema, fields: ['email'] }, async () => {
      throw new AppError('EMAIL_TAKEN', 'A user with this email already exists.', { fieldErrors: { email: ['A user with this email already exists.'] } });
    });
    expect(await taken(null, input)).toEqual({
      ok: false,
      code: 'EMAIL_TAKEN',
      message: 'Check the highlighted fields.',
      fieldErrors: { email: ['A user with this email already exists.'] },
      values: { email: 'a@b.test' },
    });
    const refused = action({ permission: 'users:manage', schema: Schema }, async () => {
      throw new AppError('LAST_ADMIN', 'You are the last admin.', { details: { why: 'rule' } });
    });
    expect(await refused(null, input)).toEqual({ ok: false, code: 'LAST_ADMIN', message: 'You are the last admin.', details: { why: 'rule' } });
    const broken = action({ permission: 'users:manage', schema: Schema }, async () => {
      throw new TypeError('a bug');
    });
    await expect(broken(null, input)).rejects.toThrow('a bug');
    expect(holder.revalidated).toEqual([]);
  });

  it('parses a plain object the same way, revalidates after a success, then redirects if asked', async () => {
    holder.user = admin;
    const act = action({ permission: 'users:manage', schema: Schema, revalidate: (input) => ['/users', [`/users/${input.id}`, 'layout']] }, async (input, { user }) => ({
      message: `${user.email} saved ${input.email}`,
      redirectTo: input.id === 'go' ? '/users?saved=1' : undefined,
    }));
    expect(await act(null, { email: 'a@b.test', password: 'x'.repeat(12), id: '7' })).toEqual({ ok: true, message: `${admin.email} saved a@b.test`, redirectTo: undefined });
    expect(holder.revalidated).toEqual([['/users'], ['/users/7', 'layout']]);
    await expect(act(null, { email: 'a@b.test', password: 'x'.repeat(12), id: 'go' })).rejects.toThrow('NEXT_REDIRECT /users?saved=1');
    expect(holder.revalidated).toHaveLength(4);
  });

  it('lets an action report a partial success with ok: false', async () => {
    holder.user = admin;
    const act = action({ permission: 'certificate:revoke' }, async () => ({ ok: false, message: '1 revoked, 1 failed', results: [1, 2] }));
    expect(await act()).toEqual({ ok: false, message: '1 revoked, 1 failed', results: [1, 2] });
  });
});

describe('request-wide rules (issue 13)', () => {
  const Body = z.object({ name: z.string() });
  const request = (url: string, init: { method?: string; body?: string | ReadableStream; headers?: Record<string, string> } = {}) =>
    new NextRequest(`http://certfleet.test${url}`, { method: init.method ?? 'POST', body: init.body, headers: init.headers, duplex: 'half' } as ConstructorParameters<typeof NextRequest>[1]);

  it('refuses a state-changing request from another site with 403, before the permission or the body', async () => {
    holder.user = admin;
    const handler = vi.fn(() => ({ ok: true }));
    const POST = route({ permission: 'users:manage' }, handler);
    for (const headers of <Record<string, string>[]>[
      { host: 'certfleet.test', origin: 'https://evil.example' },
      { host: 'certfleet.test', origin: 'null' },
      { host: 'certfleet.test', 'sec-fetch-site': 'cross-site' },
      { host: 'certfleet.test', 'sec-fetch-site': 'same-site' },
    ]) {
      const answer = await POST(request('/api/certificates/c1/reactivate', { headers }), context({ id: 'c1' }));
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      const { error } = await answer.json();
      expect(error.code).toBe('CROSS_ORIGIN');
      expect(error.message).toMatch(/only accepts changes from its own pages/);
    }
    // Same origin (by Host or X-Forwarded-Host), or no browser headers at all (a script): accepted.
    for (const headers of <Record<string, string>[]>[
      { host: 'certfleet.test', origin: 'http://certfleet.test', 'sec-fetch-site': 'same-origin' },
      { host: '127.0.0.1:3000', 'x-forwarded-host': 'certfleet.test', origin: 'https://certfleet.test' },
      { host: 'certfleet.test' },
    ]) {
      expect((await POST(request('/api/x', { headers }), context())).status, JSON.stringify(headers)).toBe(200);
    }
    expect(handler).toHaveBeenCalledTimes(3);
    // Reading is not a change: a cross-site GET is answered (the browser keeps the answer from the other site).
    const GET = route({ permission: 'users:manage' }, () => ({ ok: true }));
    expect((await GET(request('/api/x', { method: 'GET', headers: { origin: 'https://evil.example' } }), context())).status).toBe(200);
  });

  it('refuses a NUL byte in the path, the query or the body with 400 naming where', async () => {
    holder.user = admin;
    const handler = vi.fn(() => ({ ok: true }));
    const POST = route({ permission: 'users:manage', params: z.object({ id: z.string() }), query: z.record(z.string(), z.string()), body: Body }, handler);
    const json = { 'content-type': 'application/json' };

    const inPath = await POST(request('/api/x/a%00b', { body: '{"name":"n"}', headers: json }), context({ id: 'a\u0000b' }));
    expect(inPath.status).toBe(400);
    expect((await inPath.json()).error).toMatchObject({ code: 'BAD_REQUEST', message: 'id: contains a NUL byte (\\u0000), which no text field may hold.' });

    const inQuery = await POST(request('/api/x/a?q=%00', { body: '{"name":"n"}', headers: json }), context({ id: 'a' }));
    expect(inQuery.status).toBe(400);
    expect((await inQuery.json()).error.message).toMatch(/^q: contains a NUL byte/);

    const inBody = await POST(request('/api/x/a', { body: JSON.stringify({ name: 'n\u0000' }), headers: json }), context({ id: 'a' }));
    expect(inBody.status).toBe(400);
    expect((await inBody.json()).error.message).toMatch(/^name: contains a NUL byte/);
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers 413 for a body over the limit, declared or streamed without a length', async () => {
    holder.user = admin;
    const handler = vi.fn(() => ({ ok: true }));
    const POST = route({ permission: 'users:manage', body: Body }, handler);
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });

    const declared = await POST(request('/api/x', { body: big, headers: { 'content-type': 'application/json', 'content-length': String(big.length) } }), context());
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than 1 MB; send less at a time.' } });

    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.slice(i, i + 65_536));
        controller.close();
      },
    });
    const streamed = await POST(request('/api/x', { body: stream, headers: { 'content-type': 'application/json' } }), context());
    expect(streamed.status).toBe(413);

    // A route may take more (bulk CSV uploads).
    const roomy = route({ permission: 'users:manage', body: Body, maxBodyBytes: 2 * 1024 * 1024 }, handler);
    expect((await roomy(request('/api/x', { body: big, headers: { 'content-type': 'application/json' } }), context())).status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('answers a schema failing inside a data function with 400, and sends JSON as no-store', async () => {
    holder.user = admin;
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const GET = route({ permission: 'users:manage' }, () => z.object({ id: z.string().trim().min(1, 'The id is empty.') }).parse({ id: '   ' }));
    const answer = await GET(request('/api/x', { method: 'GET' }), context());
    expect(answer.status).toBe(400);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await answer.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'id: The id is empty.', fields: { id: ['The id is empty.'] } } });
    expect(logged).not.toHaveBeenCalled();

    const ok = await route({ permission: 'users:manage' }, () => ({ ok: true }))(request('/api/x', { method: 'GET' }), context());
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const file = await route({ permission: 'users:manage' }, () => new Response('pem', { headers: { 'cache-control': 'private, max-age=300' } }))(request('/api/x', { method: 'GET' }), context());
    expect(file.headers.get('cache-control')).toBe('private, max-age=300');
  });

  it('refuses a NUL byte in an action’s form or object before the schema, and a data function’s ZodError as bad input', async () => {
    holder.user = admin;
    const schema = watched(z.object({ q: z.string() }));
    const act = action({ permission: 'users:manage', schema: schema.schema, fields: ['q'] }, async () => ({ message: 'done' }));
    const data = new FormData();
    data.append('q', 'a\u0000b');
    expect(await act(null, data)).toMatchObject({ ok: false, code: 'BAD_INPUT', fieldErrors: { q: ['Contains a NUL byte (\\u0000).'] } });
    const quiet = action({ permission: 'users:manage', schema: schema.schema }, async () => ({ message: 'done' }));
    expect(await quiet(null, { q: ['x', '\u0000'] } as never)).toMatchObject({ ok: false, code: 'BAD_INPUT', message: 'Contains a NUL byte (\\u0000).' });
    expect(schema.seen).toEqual([]);

    const inner = action({ permission: 'users:manage' }, async () => {
      z.object({ certificateIds: z.array(z.string().max(64, 'No id is that long.')) }).parse({ certificateIds: ['x'.repeat(65)] });
      return { message: 'done' };
    });
    expect(await inner()).toMatchObject({ ok: false, code: 'BAD_INPUT', message: 'No id is that long.' });
  });
});
