// A device's health from how long ago it last reported, measured in its own expected reporting interval
// (Device.reportIntervalSec), so a sensor on battery that posts every five minutes is not "late" at minute three.
//
//   live     last report within 2 × interval        (one missed post is noise, not news)
//   late     within 10 × interval                   (several posts missed: worth a look)
//   missing  within 24 hours                        (stopped today: someone should go and see)
//   silent   never reported, or longer ago than that  (gone: battery, network, or decommissioned)
//
// The checks run in that order: a device that reports less often than every 2.4 h is "late" for its first
// 10 intervals even beyond 24 h, and goes from late straight to silent.

export const HEALTH_STATES = ['live', 'late', 'missing', 'silent'] as const;
export type Health = (typeof HEALTH_STATES)[number];

export const LIVE_INTERVALS = 2;
export const LATE_INTERVALS = 10;
export const MISSING_WITHIN_MS = 24 * 3_600_000;

/** The health of a device that last reported at `lastSeenAt` (null: never) and should report every `reportIntervalSec`. */
export function classifyHealth(lastSeenAt: Date | null, reportIntervalSec: number, now: Date = new Date()): Health {
  if (!lastSeenAt) return 'silent';
  // A clock a little ahead of ours still counts as just now.
  const age = Math.max(0, now.getTime() - lastSeenAt.getTime());
  const interval = Math.max(1, reportIntervalSec) * 1000;
  if (age <= LIVE_INTERVALS * interval) return 'live';
  if (age <= LATE_INTERVALS * interval) return 'late';
  if (age <= MISSING_WITHIN_MS) return 'missing';
  return 'silent';
}

export const HEALTH_DESCRIPTIONS: Record<Health, string> = {
  live: `reported within ${LIVE_INTERVALS}× its interval`,
  late: `last report within ${LATE_INTERVALS}× its interval`,
  missing: 'last report within 24 h',
  silent: 'no report for over 24 h, or never',
};
