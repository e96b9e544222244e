import { updateDeviceLimits } from '@/lib/data/readings-changes';
import { DeviceLimitsBodySchema } from '@/lib/readings/limits-schema';
import { route } from '@/lib/server/route';
import { DeviceIdParams } from '@/lib/validation/route-params';

/** PUT /api/readings/devices/<id>/limits `{ minTemperature, maxTemperature, reportIntervalSec }` (null: group default). ADMIN. */
export const PUT = route({ permission: 'thresholds:edit', params: DeviceIdParams, body: DeviceLimitsBodySchema }, ({ params, body }) =>
  updateDeviceLimits({ deviceId: params.deviceId, ...body }),
);
