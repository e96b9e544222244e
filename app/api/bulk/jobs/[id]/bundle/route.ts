import { buildBulkBundle } from '@/lib/data/bulk-bundle';
import { route } from '@/lib/server/route';
import { IdParams } from '@/lib/validation/route-params';

/** Every issued certificate of the job and a manifest.csv, as one zip (lib/data/bulk-bundle.ts). */
export const GET = route({ permission: 'device:enroll', params: IdParams }, async ({ user, params }) => {
  const bundle = await buildBulkBundle(user, params.id);
  return new Response(Buffer.from(bundle.zip), {
    headers: {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${bundle.fileName}"`,
      'content-length': String(bundle.zip.byteLength),
    },
  });
});
