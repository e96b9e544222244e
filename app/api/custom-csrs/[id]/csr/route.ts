import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { getCustomCsrPem } from '@/lib/data/custom-csrs';

type Context = { params: Promise<{ id: string }> };

/**
 * The CSR as a `.csr` file: PEM with real newlines (Cloudflare's JSON escapes them as "\n"; seed 004
 * has people fix that with perl), ready for `openssl req -verify -noout -in file.csr` and a CA.
 */
export const GET = withPermission<Context>('customcsr:view', async (_request, context, user) => {
  const found = await getCustomCsrPem(user, (await context.params).id);
  if (!found) return NextResponse.json({ error: 'No such custom CSR.' }, { status: 404 });
  const fileName = `${found.commonName.replace(/[^A-Za-z0-9.-]+/g, '_')}.csr`;
  return new Response(found.pem, {
    headers: {
      // RFC 5967: application/pkcs10 is the media type of a PKCS#10 request.
      'content-type': 'application/pkcs10',
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
    },
  });
});
