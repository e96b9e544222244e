/*
 * The demo fleet that `npm run seed` (prisma/seed.ts) writes into an empty database: who the devices
 * are and how their temperatures move. Pure data and arithmetic, so a simulator can draw live readings
 * on the same curves as the seeded history.
 */

export type DemoGroupName = 'cold-storage' | 'greenhouse' | 'lab' | 'warehouse';

export interface DemoGroup {
  name: DemoGroupName;
  count: number;
  tags: string[];
  /** Alarm thresholds (°C), copied onto each device. */
  minTemperature: number;
  maxTemperature: number;
  /** Daily mean, half the day–night swing, and the spread of sensor noise (°C). */
  mean: number;
  swing: number;
  noise: number;
  /** Hour (UTC) of the warmest moment of the day. */
  peakHourUtc: number;
}

export const DEMO_GROUPS: readonly DemoGroup[] = [
  // Vaccine-grade fridges: 2–8 °C, warmer by day when doors open.
  { name: 'cold-storage', count: 10, tags: ['site:hamburg', 'gdp'], minTemperature: 2, maxTemperature: 8, mean: 4.6, swing: 0.7, noise: 0.2, peakHourUtc: 14 },
  // Glass houses: the sun drives a wide curve.
  { name: 'greenhouse', count: 9, tags: ['site:almeria'], minTemperature: 12, maxTemperature: 32, mean: 22, swing: 6, noise: 0.6, peakHourUtc: 13 },
  // Air-conditioned labs: narrow band.
  { name: 'lab', count: 8, tags: ['site:hamburg', 'gmp'], minTemperature: 18, maxTemperature: 25, mean: 21.4, swing: 0.9, noise: 0.15, peakHourUtc: 15 },
  // Unheated halls that follow the weather, slowly.
  { name: 'warehouse', count: 9, tags: ['site:rotterdam'], minTemperature: 5, maxTemperature: 30, mean: 15.5, swing: 3.5, noise: 0.4, peakHourUtc: 16 },
];

/**
 * How a device's last report relates to its interval, so the fleet shows every health state:
 * `live` reported within its interval, `late` a few intervals ago, `missing` an hour or more ago,
 * `silent` days ago (its history stops there).
 */
export type DemoHealth = 'live' | 'late' | 'missing' | 'silent';

/** A short departure from the curve: a door left open, a failed fan, a frost night. */
export interface DemoExcursion {
  /** Starts `daysAgo` days before the seed's day, at this hour (UTC), so it falls at the same time of day on every seed. */
  daysAgo: number;
  startHourUtc: number;
  hours: number;
  /** °C added at the peak (negative: colder); it ramps in and out. */
  delta: number;
}

export interface DemoDevice {
  name: string;
  group: DemoGroupName;
  tags: string[];
  reportIntervalSec: number;
  health: DemoHealth;
  /** Seconds between the device's last reading and the seed's `now`. */
  lastSeenSecondsAgo: number;
  /** Taken out of service: status INACTIVE. */
  inactive?: boolean;
  /** Offset from the group's mean (°C): no two sensors draw the same line. */
  offset: number;
  excursions: DemoExcursion[];
}

/** Departures from the plain curve, by device name; each crosses its group's thresholds. */
const EXCURSIONS: Record<string, DemoExcursion[]> = {
  'cold-storage-03': [{ daysAgo: 2, startHourUtc: 10, hours: 1.5, delta: 6.5 }], // door left open
  'cold-storage-07': [{ daysAgo: 5, startHourUtc: 3, hours: 3, delta: -3.5 }], // thermostat fault
  'greenhouse-02': [{ daysAgo: 3, startHourUtc: 11, hours: 4, delta: 9 }], // vents stuck shut at noon
  'greenhouse-06': [{ daysAgo: 1, startHourUtc: 2, hours: 3, delta: -8 }], // heating failed overnight
  'lab-04': [{ daysAgo: 1, startHourUtc: 14, hours: 2.5, delta: 5 }], // air conditioning down
  'warehouse-05': [{ daysAgo: 4, startHourUtc: 0, hours: 8, delta: -12 }], // frost night, gate open
  'warehouse-08': [{ daysAgo: 1, startHourUtc: 15, hours: 1, delta: 12 }], // sun on an open roof hatch
};

/** Devices that are not simply live, by name, with how long ago they last reported. */
const NOT_LIVE: Record<string, { health: DemoHealth; lastSeenSecondsAgo: number; inactive?: boolean }> = {
  'cold-storage-09': { health: 'late', lastSeenSecondsAgo: 4 * 60 },
  'greenhouse-04': { health: 'late', lastSeenSecondsAgo: 17 * 60 },
  'warehouse-03': { health: 'late', lastSeenSecondsAgo: 3 * 60 },
  'lab-06': { health: 'missing', lastSeenSecondsAgo: 95 * 60 },
  'warehouse-09': { health: 'missing', lastSeenSecondsAgo: 5 * 3600 },
  'greenhouse-08': { health: 'silent', lastSeenSecondsAgo: 2.5 * 86_400 },
  'lab-08': { health: 'silent', lastSeenSecondsAgo: 5 * 86_400, inactive: true },
};

/** Sensors on battery report every five minutes; the rest every minute. */
const SLOW_REPORTERS = new Set(['greenhouse-03', 'greenhouse-04', 'greenhouse-07', 'warehouse-02', 'warehouse-06', 'warehouse-09']);

export const DEMO_FLEET: readonly DemoDevice[] = DEMO_GROUPS.flatMap((group) =>
  Array.from({ length: group.count }, (_, i): DemoDevice => {
    const name = `${group.name}-${String(i + 1).padStart(2, '0')}`;
    const reportIntervalSec = SLOW_REPORTERS.has(name) ? 300 : 60;
    const random = seededRandom(name);
    const notLive = NOT_LIVE[name];
    return {
      name,
      group: group.name,
      tags: group.tags,
      reportIntervalSec,
      health: notLive?.health ?? 'live',
      lastSeenSecondsAgo: notLive?.lastSeenSecondsAgo ?? Math.round(5 + random() * reportIntervalSec * 0.6),
      inactive: notLive?.inactive,
      offset: Math.round((random() - 0.5) * group.swing * 0.6 * 100) / 100,
      excursions: EXCURSIONS[name] ?? [],
    };
  }),
);

export function demoGroup(name: DemoGroupName): DemoGroup {
  const group = DEMO_GROUPS.find((g) => g.name === name);
  if (!group) throw new Error(`Unknown demo group ${name}`);
  return group;
}

/**
 * The temperature `device` reads at `at`: its group's daily sine around the mean, its own offset,
 * any excursion under way (relative to `now`), plus noise drawn from `random` (0..1). Two decimals,
 * as sensors report.
 */
export function demoTemperature(device: DemoDevice, at: Date, now: Date, random: () => number = Math.random): number {
  const group = demoGroup(device.group);
  const hourOfDay = (at.getTime() / 3_600_000) % 24;
  const daily = group.swing * Math.cos(((hourOfDay - group.peakHourUtc) / 24) * 2 * Math.PI);
  const today = Math.floor(now.getTime() / 86_400_000) * 86_400_000;
  let excursion = 0;
  for (const e of device.excursions) {
    const start = today - e.daysAgo * 86_400_000 + e.startHourUtc * 3_600_000;
    const into = (at.getTime() - start) / 3_600_000; // hours since it began
    if (into >= 0 && into <= e.hours) excursion += e.delta * Math.sin((into / e.hours) * Math.PI);
  }
  // Sum of two uniforms: a softer, bell-like noise than one uniform.
  const noise = (random() + random() - 1) * group.noise;
  return Math.round((group.mean + device.offset + daily + excursion + noise) * 100) / 100;
}

/** mulberry32 seeded from a string: the same fleet and the same curves on every seed. */
export function seededRandom(seed: string): () => number {
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 0x01000193);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
