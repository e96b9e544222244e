import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { updateDeviceLimits } from '@/lib/data/readings';
import { DeviceLimitsSchema } from '@/lib/readings/limits-schema';
import { invalidBody, readJson } from '../../../../_lib/responses';
import { readingsErrorResponse } from '../../../_responses';

type Context = { params: Promise<{ deviceId: string }> };

/** PUT /api/readings/devices/<id>/limits `{ minTemperature, maxTemperature, reportIntervalSec }` (null: group default). ADMIN. */
export const PUT = withPermission('thresholds:edit', async (request, context: Context) => {
  const { deviceId } = await context.params;
  const read = await readJson(request);
  if ('response' in read) return read.response;
  const parsed = DeviceLimitsSchema.safeParse({ ...(read.body as object), deviceId });
  if (!parsed.success) return invalidBody(parsed.error);
  try {
    return NextResponse.json(await updateDeviceLimits(parsed.data));
  } catch (error) {
    return readingsErrorResponse(error);
  }
});
