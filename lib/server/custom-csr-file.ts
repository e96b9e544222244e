import 'server-only';
import type { SessionUser } from '@/lib/auth/errors';
import { getCustomCsrPem } from '@/lib/data/custom-csrs';
import { AppError } from '@/lib/errors';

/**
 * A custom CSR as a `.csr` file: PEM with real newlines (Cloudflare's JSON escapes them as "\n"; seed 004
 * has people fix that with perl), ready for `openssl req -verify -noout -in file.csr` and a CA. The one
 * answer of `GET /api/custom-csrs/<id>/csr` (the page's link) and `GET /api/v1/custom-csrs/<id>/csr`.
 */
export async function customCsrFileResponse(user: SessionUser, id: string): Promise<Response> {
  const found = await getCustomCsrPem(user, id);
  if (!found) throw new AppError('NOT_FOUND', 'No such custom CSR.');
  const fileName = `${found.commonName.replace(/[^A-Za-z0-9.-]+/g, '_')}.csr`;
  return new Response(found.pem, {
    headers: {
      // RFC 5967: application/pkcs10 is the media type of a PKCS#10 request.
      'content-type': 'application/pkcs10',
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
    },
  });
}
