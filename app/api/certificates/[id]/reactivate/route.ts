import { reactivateCertificate } from '@/lib/data/revocation';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/server/route';
import { IdParams } from '@/lib/validation/route-params';

/** Undoes a revocation while Cloudflare has it pending (SUPPORT and ADMIN); 409 INVALID_STATE once it has completed. */
export const POST = route({ permission: 'certificate:reactivate', params: IdParams }, async ({ user, params }) => {
  const result = await reactivateCertificate(user, params.id);
  if (!result.ok) throw new AppError(result.failure ?? 'INVALID_STATE', result.message, { details: { result } });
  return result;
});
