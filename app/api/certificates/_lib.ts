import { NextResponse } from 'next/server';
import type { CertificateActionResult } from '@/lib/data/revocation';

const FAILURE_STATUS: Record<NonNullable<CertificateActionResult['failure']>, number> = {
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  // Cloudflare refused or failed: the message says which (rate limit, unreachable, …).
  CLOUDFLARE: 502,
  // Cloudflare changed it but certfleet's record lags until the next refresh.
  NOT_RECORDED: 500,
};

/** One certificate's result as an HTTP answer: 200 with the result, or the failure's status and message. */
export function certificateResultResponse(result: CertificateActionResult): Response {
  if (result.ok) return NextResponse.json(result);
  return NextResponse.json({ error: result.message, result }, { status: FAILURE_STATUS[result.failure ?? 'CLOUDFLARE'] });
}
