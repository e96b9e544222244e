import { NextResponse } from 'next/server';
import { ReadingsChangeError } from '@/lib/data/readings';
import { parseChartRange, type ParsedRange } from '@/lib/readings/ranges';

/** The range a request asks for, or a 400 saying what is wrong with it (an API does not silently fall back). */
export function rangeOrError(params: URLSearchParams): { range: ParsedRange } | { response: Response } {
  const range = parseChartRange(params);
  if (range.error) return { response: NextResponse.json({ error: range.error }, { status: 400 }) };
  return { range };
}

const STATUS: Record<ReadingsChangeError['code'], number> = { NOT_FOUND: 404, NOT_CONFIGURED: 503, PULL_FAILED: 502 };

/** Maps a refused readings change to its HTTP status; rethrows anything unexpected. */
export function readingsErrorResponse(error: unknown): Response {
  if (error instanceof ReadingsChangeError) {
    return NextResponse.json({ error: error.message, code: error.code }, { status: STATUS[error.code] });
  }
  throw error;
}
