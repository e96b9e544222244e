import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthError } from './auth/errors';
import { CloudflareError } from './cloudflare/errors';
import { AppError, ERROR_CODES, invalidInput } from './errors';
import { PkiError } from './pki/errors';

describe('ERROR_CODES', () => {
  it('gives every code an HTTP error status', () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
    }
  });
});

describe('AppError and the feature errors that extend it', () => {
  it('answers with its code’s status', () => {
    expect(new AppError('NOT_FOUND', 'No such certificate.').httpStatus).toBe(404);
    expect(new AuthError(401, 'You are not signed in.')).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, httpStatus: 401 });
    expect(new AuthError(403, 'No.')).toMatchObject({ code: 'FORBIDDEN', status: 403, httpStatus: 403 });
    expect(new PkiError('MALFORMED', 'Not a certificate.')).toBeInstanceOf(AppError);
    expect(new PkiError('MALFORMED', 'Not a certificate.').httpStatus).toBe(422);
  });

  it('keeps what Cloudflare answered apart from what certfleet answers', () => {
    // Cloudflare refusing certfleet's token is the server's configuration, not the caller's fault: 502, not 401.
    const refused = new CloudflareError('AUTH', 'Cloudflare refused the API token.', { status: 401 });
    expect(refused).toBeInstanceOf(AppError);
    expect(refused.status).toBe(401);
    expect(refused.httpStatus).toBe(502);
    expect(new CloudflareError('RATE_LIMITED', 'Wait.', { status: 429, retryAfter: 300 })).toMatchObject({ httpStatus: 429, retryAfter: 300 });
  });
});

describe('invalidInput', () => {
  const Schema = z.object({ name: z.string().min(1, 'Enter a name.'), count: z.number('A number.') });

  it('names the one wrong field, or asks to check the fields when several are wrong', () => {
    const one = invalidInput(Schema.safeParse({ name: '', count: 1 }).error!);
    expect(one).toMatchObject({ code: 'BAD_INPUT', message: 'name: Enter a name.', fieldErrors: { name: ['Enter a name.'] } });
    const two = invalidInput(Schema.safeParse({ name: '', count: 'x' }).error!, { code: 'BAD_REQUEST' });
    expect(two).toMatchObject({ code: 'BAD_REQUEST', message: 'Check the highlighted fields.', fieldErrors: { name: ['Enter a name.'], count: ['A number.'] } });
    expect(invalidInput(Schema.safeParse({ name: '', count: 1 }).error!, { message: 'Check the highlighted fields.' }).message).toBe('Check the highlighted fields.');
  });

  it('says a problem with the input as a whole in its own words', () => {
    const refused = invalidInput(z.string('Send text.').safeParse(1).error!, { message: 'Check the highlighted fields.' });
    expect(refused).toMatchObject({ message: 'Send text.', fieldErrors: { _: ['Send text.'] } });
  });
});
