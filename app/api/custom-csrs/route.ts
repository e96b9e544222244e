import { NextResponse } from 'next/server';
import { createCustomCsr, findCustomCsrs } from '@/lib/data/custom-csrs';
import { route } from '@/lib/server/route';
import { CustomCsrSchema, parseCustomCsrListSearch } from '@/lib/validation/custom-csr';
import { searchParamsOf } from '@/lib/validation/table-search-params';

/**
 * The Custom CSRs table as JSON, paged in SQL, with the page's query parameters: `page`, `perPage`,
 * `sort` (commonName | createdAt), `dir`, `q`, `keyType` (rsa2048 | p256v1), `inUse` (yes | no).
 */
export const GET = route({ permission: 'customcsr:view', query: searchParamsOf(parseCustomCsrListSearch) }, async ({ user, query }) => {
  const { rows, total } = await findCustomCsrs(user, query);
  return { rows, total, page: query.page, perPage: query.perPage };
});

/**
 * Creates a custom CSR at Cloudflare: `{ country, state, locality, organization, organizationalUnit?,
 * commonName, sans: string[], keyType?: 'rsa2048' | 'p256v1' }`. Same rules and audit as the page.
 */
export const POST = route({ permission: 'customcsr:manage', body: CustomCsrSchema }, async ({ user, body }) =>
  NextResponse.json(await createCustomCsr(user, body), { status: 201 }),
);
