import { NextResponse } from 'next/server';
import { BulkError } from '@/lib/data/bulk';

/** A refused bulk request as JSON; anything unexpected is rethrown. */
export function bulkErrorResponse(error: unknown): Response {
  if (error instanceof BulkError) {
    const status = error.code === 'NOT_FOUND' ? 404 : 422;
    return NextResponse.json({ error: error.message, code: error.code, report: error.report }, { status });
  }
  throw error;
}
