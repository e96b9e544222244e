import { NextResponse } from 'next/server';
import { z } from 'zod';
import { type CaKind, EDGE_CA_DOWNLOAD_NAME, readCaPem, ZONE_CA_DOWNLOAD_NAME } from '@/lib/data/enrollment-config';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/server/route';

/**
 * `GET /api/ca?kind=zone` (default): the zone's Cloudflare-managed client CA, the chain of every
 * certificate certfleet issues (CERTFLEET_ZONE_CA_FILE). `kind=edge`: the CA of the local mTLS edge's
 * server certificate, which devices must trust in local mode (CERTFLEET_EDGE_CA_FILE). Public
 * certificates only; still behind sign-in like the rest of the console.
 */
export const GET = route(
  { permission: 'certificate:view', query: z.object({ kind: z.enum(['zone', 'edge']).catch('zone').default('zone') }) },
  async ({ query }) => {
    const kind: CaKind = query.kind;
    const pem = await readCaPem(kind);
    if (!pem) {
      const variable = kind === 'zone' ? 'CERTFLEET_ZONE_CA_FILE' : 'CERTFLEET_EDGE_CA_FILE';
      throw new AppError('NOT_FOUND', `No ${kind === 'zone' ? 'zone CA' : 'edge CA'} is configured: set ${variable} to its PEM file.`);
    }
    return new NextResponse(pem, {
      headers: {
        'content-type': 'application/x-pem-file',
        'content-disposition': `attachment; filename="${kind === 'zone' ? ZONE_CA_DOWNLOAD_NAME : EDGE_CA_DOWNLOAD_NAME}"`,
        'cache-control': 'private, max-age=300',
      },
    });
  },
);
