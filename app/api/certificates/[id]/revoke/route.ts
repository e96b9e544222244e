import { after } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { db } from '@/lib/db/client';
import { revokeCertificates, settleRevocations } from '@/lib/data/revocation';
import { RevokeOneBodySchema } from '@/lib/validation/inventory';
import { invalidBody, readJson } from '../../../_lib/responses';
import { certificateResultResponse } from '../../_lib';

type Context = { params: Promise<{ id: string }> };

/**
 * Revokes one certificate: `{ "reason": "KEY_COMPROMISE" | …, "note"?: "…" }` (note required for OTHER).
 * SUPPORT and ADMIN; a MANAGER (or anyone else) gets 403 before anything is read.
 */
export const POST = withPermission('certificate:revoke', async (request, context: Context, user) => {
  const { id } = await context.params;
  const read = await readJson(request);
  if ('response' in read) return read.response;
  const body = RevokeOneBodySchema.safeParse(read.body);
  if (!body.success) return invalidBody(body.error);
  const input = { certificateIds: [id], reason: body.data.reason, note: body.data.note ?? '' };
  if (input.reason === 'OTHER' && !input.note) return Response.json({ error: 'Say why (note), when the reason is OTHER.' }, { status: 422 });
  const { results, revokedIds } = await revokeCertificates(user, input);
  if (revokedIds.length) after(() => settleRevocations(db(), revokedIds).then(() => undefined));
  return certificateResultResponse(results[0]!);
});
