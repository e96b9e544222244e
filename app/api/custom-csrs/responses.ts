import { NextResponse } from 'next/server';
import { CustomCsrError } from '@/lib/custom-csrs/errors';

const STATUS: Record<CustomCsrError['code'], number> = {
  NOT_FOUND: 404,
  CERTIFICATE_REFUSED: 422,
  KEY_IN_USE: 409,
  HOSTNAME_TAKEN: 409,
  CLOUDFLARE: 502,
};

/** A refused custom-CSR change as JSON with its HTTP status; rethrows anything unexpected. */
export function customCsrErrorResponse(error: unknown): Response {
  if (error instanceof CustomCsrError) {
    const status = error.code === 'CLOUDFLARE' && error.extra.status && error.extra.status < 500 ? 400 : STATUS[error.code];
    return NextResponse.json(
      { error: error.message, code: error.code, ...(error.extra.hostname ? { hostname: error.extra.hostname } : {}), ...(error.extra.problems ? { problems: error.extra.problems } : {}) },
      { status },
    );
  }
  throw error;
}
