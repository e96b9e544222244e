import { getCertificate } from '@/lib/data/certificates';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/server/route';
import { IdParams } from '@/lib/validation/route-params';

/** One certificate with its PEM, identifiers, status, revocation and edge proof. */
export const GET = route({ permission: 'certificate:view', params: IdParams }, async ({ user, params }) => {
  const certificate = await getCertificate(user, params.id);
  if (!certificate) throw new AppError('NOT_FOUND', 'No such certificate.');
  return certificate;
});
