import { NextResponse } from 'next/server';
import type { z } from 'zod';
import { UserChangeError } from '@/lib/data/users';

/**
 * The JSON body of a mutation, or a response refusing it. Requiring `application/json` also means a
 * cross-site HTML form cannot post here: browsers only send that type after a CORS preflight.
 */
export async function readJson(request: Request): Promise<{ body: unknown } | { response: Response }> {
  if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json')) {
    return { response: NextResponse.json({ error: 'Send a JSON body (Content-Type: application/json).' }, { status: 415 }) };
  }
  try {
    return { body: await request.json() };
  } catch {
    return { response: NextResponse.json({ error: 'The body is not valid JSON.' }, { status: 400 }) };
  }
}

export function invalidBody(error: z.ZodError): Response {
  return NextResponse.json(
    { error: 'Invalid input.', issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) },
    { status: 422 },
  );
}

const userChangeStatus: Record<UserChangeError['code'], number> = {
  EMAIL_TAKEN: 409,
  NOT_FOUND: 404,
  LAST_ADMIN: 409,
  CONFLICT: 409,
};

/** Maps a refused user change to its HTTP status; rethrows anything unexpected. */
export function userChangeResponse(error: unknown): Response {
  if (error instanceof UserChangeError) {
    return NextResponse.json({ error: error.message, code: error.code }, { status: userChangeStatus[error.code] });
  }
  throw error;
}
