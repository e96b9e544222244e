import { z } from 'zod';

/*
 * The dynamic segments of the API's paths, each parsed by the route wrapper (lib/server/route.ts)
 * before a handler sees it: a value out of shape is a 400, not a query that cannot match.
 */

/** An id in a path (certificate, device, user, custom CSR, bulk job): none of ours is longer. */
export const idParam = z.string().min(1, 'The id is missing.').max(64, 'No id is that long.');

export const IdParams = z.object({ id: idParam });
export const DeviceIdParams = z.object({ deviceId: idParam });
export const GroupParams = z.object({ group: z.string().trim().min(1, 'The group is missing.').max(100, 'No group name is that long.') });
