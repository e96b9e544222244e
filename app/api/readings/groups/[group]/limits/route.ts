import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { updateGroupLimits } from '@/lib/data/readings';
import { GroupLimitsSchema } from '@/lib/readings/limits-schema';
import { invalidBody, readJson } from '../../../../_lib/responses';
import { readingsErrorResponse } from '../../../_responses';

type Context = { params: Promise<{ group: string }> };

/** PUT /api/readings/groups/<group>/limits `{ minTemperature, maxTemperature }` (both null: no default). ADMIN. */
export const PUT = withPermission('thresholds:edit', async (request, context: Context) => {
  const { group } = await context.params;
  const read = await readJson(request);
  if ('response' in read) return read.response;
  const parsed = GroupLimitsSchema.safeParse({ ...(read.body as object), group });
  if (!parsed.success) return invalidBody(parsed.error);
  try {
    return NextResponse.json({ group: parsed.data.group, limits: await updateGroupLimits(parsed.data) });
  } catch (error) {
    return readingsErrorResponse(error);
  }
});
