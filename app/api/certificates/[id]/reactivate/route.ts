import { withPermission } from '@/lib/auth/session';
import { reactivateCertificate } from '@/lib/data/revocation';
import { certificateResultResponse } from '../../_lib';

type Context = { params: Promise<{ id: string }> };

/** Undoes a revocation while Cloudflare has it pending (SUPPORT and ADMIN); 409 once it has completed. */
export const POST = withPermission('certificate:reactivate', async (_request, context: Context, user) => {
  const { id } = await context.params;
  return certificateResultResponse(await reactivateCertificate(user, id));
});
