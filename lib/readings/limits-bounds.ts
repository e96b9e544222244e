// The bounds the limits dialogs show, without zod (issue 12: the dialogs load their schema on submit);
// lib/readings/limits-schema.ts checks against them and re-exports them.

/** Sanity bounds for a sensor limit (°C): wider than any cold chain or greenhouse, narrower than a typo. */
export const TEMPERATURE_BOUNDS = { min: -100, max: 200 } as const;
/** Shortest and longest expected reporting interval an ADMIN may set (seconds). */
export const INTERVAL_BOUNDS = { min: 5, max: 86_400 } as const;
