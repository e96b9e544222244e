import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { type CaKind, EDGE_CA_DOWNLOAD_NAME, readCaPem, ZONE_CA_DOWNLOAD_NAME } from '@/lib/data/enrollment-config';

/**
 * `GET /api/ca?kind=zone` (default): the zone's Cloudflare-managed client CA, the chain of every
 * certificate certfleet issues (CERTFLEET_ZONE_CA_FILE). `kind=edge`: the CA of the local mTLS edge's
 * server certificate, which devices must trust in local mode (CERTFLEET_EDGE_CA_FILE). Public
 * certificates only; still behind sign-in like the rest of the console.
 */
export const GET = withPermission('certificate:view', async (request) => {
  const kind: CaKind = request.nextUrl.searchParams.get('kind') === 'edge' ? 'edge' : 'zone';
  const pem = await readCaPem(kind);
  if (!pem) {
    const variable = kind === 'zone' ? 'CERTFLEET_ZONE_CA_FILE' : 'CERTFLEET_EDGE_CA_FILE';
    return NextResponse.json({ error: `No ${kind === 'zone' ? "zone CA" : "edge CA"} is configured: set ${variable} to its PEM file.` }, { status: 404 });
  }
  return new NextResponse(pem, {
    headers: {
      'content-type': 'application/x-pem-file',
      'content-disposition': `attachment; filename="${kind === 'zone' ? ZONE_CA_DOWNLOAD_NAME : EDGE_CA_DOWNLOAD_NAME}"`,
      'cache-control': 'private, max-age=300',
    },
  });
});
