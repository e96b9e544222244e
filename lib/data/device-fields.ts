import type { Prisma } from '@/lib/generated/prisma/client';

/**
 * What every view of a device's readings reads of the device (the fleet table, the device chart, the device
 * page): who it is, its status, how often it reports, when it was last seen and its own limits.
 */
export const DEVICE_READINGS_FIELDS = {
  id: true,
  name: true,
  group: true,
  status: true,
  reportIntervalSec: true,
  lastSeenAt: true,
  minTemperature: true,
  maxTemperature: true,
} as const satisfies Prisma.DeviceSelect;
