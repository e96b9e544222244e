import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { createCustomCsr, findCustomCsrs } from '@/lib/data/custom-csrs';
import { CustomCsrSchema, parseCustomCsrListSearch } from '@/lib/validation/custom-csr';
import { invalidBody, readJson } from '../_lib/responses';
import { customCsrErrorResponse } from './responses';

/**
 * The Custom CSRs table as JSON, paged in SQL, with the page's query parameters: `page`, `perPage`,
 * `sort` (commonName | createdAt), `dir`, `q`, `keyType` (rsa2048 | p256v1), `inUse` (yes | no).
 */
export const GET = withPermission('customcsr:view', async (request, _context, user) => {
  const search = parseCustomCsrListSearch(Object.fromEntries(request.nextUrl.searchParams));
  const { rows, total } = await findCustomCsrs(user, search);
  return NextResponse.json({ rows, total, page: search.page, perPage: search.perPage });
});

/**
 * Creates a custom CSR at Cloudflare: `{ country, state, locality, organization, organizationalUnit?,
 * commonName, sans: string[], keyType?: 'rsa2048' | 'p256v1' }`. Same rules and audit as the page.
 */
export const POST = withPermission('customcsr:manage', async (request, _context, user) => {
  const read = await readJson(request);
  if ('response' in read) return read.response;
  const parsed = CustomCsrSchema.safeParse(read.body);
  if (!parsed.success) return invalidBody(parsed.error);
  try {
    return NextResponse.json(await createCustomCsr(user, parsed.data), { status: 201 });
  } catch (error) {
    return customCsrErrorResponse(error);
  }
});
