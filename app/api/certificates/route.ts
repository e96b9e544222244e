import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { findCertificates } from '@/lib/data/certificates';
import { parseCertificateListSearch } from '@/lib/validation/inventory';

/** The Certificates table as JSON, with the same query parameters (q, status, band, group, lastSeen, sort, dir, page, perPage). */
export const GET = withPermission('certificate:view', async (request, _context, user) => {
  const search = parseCertificateListSearch(Object.fromEntries(request.nextUrl.searchParams));
  return NextResponse.json(await findCertificates(user, search));
});
