import { updateGroupLimits } from '@/lib/data/readings-changes';
import { GroupLimitsBodySchema } from '@/lib/readings/limits-schema';
import { route } from '@/lib/server/route';
import { GroupParams } from '@/lib/validation/route-params';

/** PUT /api/readings/groups/<group>/limits `{ minTemperature, maxTemperature }` (both null: no default). ADMIN. */
export const PUT = route({ permission: 'thresholds:edit', params: GroupParams, body: GroupLimitsBodySchema }, async ({ params, body }) => ({
  group: params.group,
  limits: await updateGroupLimits({ group: params.group, ...body }),
}));
