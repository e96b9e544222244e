// Parsing and validation of a sensor's POST body. Pure functions: no Workers APIs, so they are unit-tested in Node.

/** Bodies above this are refused with 413 before parsing; the seed's body is ~50 bytes. */
export const MAX_BODY_BYTES = 4 * 1024;

/**
 * Plausible range in °C. The coldest air ever measured on Earth is −89.2 °C and the seed's sensor reads body
 * temperature; anything outside this is a broken sensor or a unit mix-up (°F, K) that would wreck the charts.
 */
export const MIN_TEMPERATURE_C = -90;
export const MAX_TEMPERATURE_C = 150;

/**
 * Device clocks drift and the seed's Python script stamps local time with a "Z", so readings may claim to be
 * from a few hours ahead; more than a day ahead is a broken clock.
 */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * No sensor certfleet enrolls can have taken a reading before this: a time before it is a clock that was
 * never set (1970-01-01 after a power loss), not an old reading. Readings older than a configurable age
 * (the Worker's READINGS_MAX_AGE_DAYS) are refused too; by default any age after this floor is kept, because
 * a sensor that was offline sends its backlog late and the seed's own example is dated 2020.
 */
export const EARLIEST_READING_MS = Date.UTC(2000, 0, 1);

export interface ParseOptions {
  /** Refuse readings older than this many milliseconds before `nowMs` (unset: only EARLIEST_READING_MS applies). */
  maxAgeMs?: number;
}

export interface ParsedReading {
  temperature: number;
  /** Milliseconds since the epoch (UTC) of the device's `time`. */
  timeMs: number;
}

export type ParseResult = { ok: true; reading: ParsedReading } | { ok: false; error: string };

const EXAMPLE = 'expected a JSON object like {"temperature": 36.5, "time": "2020-09-28T02:54:56Z"}';

// A plain decimal: the seed's script sends str(float), e.g. "36.5". Exponents, hex, "Infinity" and blanks are
// refused rather than guessed at.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

// RFC 3339 / ISO 8601 date-time. A missing offset is read as UTC, which is what the seed's script means.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/** Parses `{"temperature": number | numeric string, "time": ISO 8601 string}`; extra fields are ignored. */
export function parseReadingBody(text: string, nowMs: number, options: ParseOptions = {}): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: `body is not valid JSON; ${EXAMPLE}` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: `body must be a JSON object; ${EXAMPLE}` };
  }
  const { temperature, time } = body as Record<string, unknown>;

  const t = parseTemperature(temperature);
  if (!t.ok) return t;
  const ts = parseTime(time);
  if (!ts.ok) return ts;
  if (ts.value > nowMs + MAX_FUTURE_SKEW_MS) {
    return { ok: false, error: `"time" ${JSON.stringify(time)} is more than 24 hours in the future` };
  }
  if (ts.value < EARLIEST_READING_MS) {
    return { ok: false, error: `"time" ${JSON.stringify(time)} is before 2000-01-01: the sensor's clock is not set` };
  }
  if (options.maxAgeMs !== undefined && ts.value < nowMs - options.maxAgeMs) {
    const days = +(options.maxAgeMs / 86_400_000).toFixed(2);
    return { ok: false, error: `"time" ${JSON.stringify(time)} is more than ${days} days old; this Worker keeps readings up to ${days} days old` };
  }
  return { ok: true, reading: { temperature: t.value, timeMs: ts.value } };
}

type Field = { ok: true; value: number } | { ok: false; error: string };

function parseTemperature(value: unknown): Field {
  if (value === undefined || value === null) {
    return { ok: false, error: `"temperature" is missing; ${EXAMPLE}` };
  }
  let n: number;
  if (typeof value === 'number') {
    n = value;
  } else if (typeof value === 'string' && DECIMAL.test(value.trim())) {
    n = Number(value.trim());
  } else {
    return { ok: false, error: `"temperature" must be a number or a numeric string, got ${JSON.stringify(value)}` };
  }
  if (!Number.isFinite(n)) {
    // JSON.parse reads 1e309 as Infinity, which JSON.stringify would print as "null": say what it is instead.
    return { ok: false, error: `"temperature" is not a finite number (too large to represent, e.g. 1e309)` };
  }
  if (n < MIN_TEMPERATURE_C || n > MAX_TEMPERATURE_C) {
    return {
      ok: false,
      error: `"temperature" ${n} is implausible: expected °C between ${MIN_TEMPERATURE_C} and ${MAX_TEMPERATURE_C}`,
    };
  }
  return { ok: true, value: n };
}

function parseTime(value: unknown): Field {
  if (value === undefined || value === null || value === '') {
    return { ok: false, error: `"time" is missing; ${EXAMPLE}` };
  }
  const ms = typeof value === 'string' && value.length <= 64 ? parseDateTime(value.trim()) : undefined;
  if (ms === undefined) {
    return {
      ok: false,
      error: `"time" must be an ISO 8601 date-time such as "2020-09-28T02:54:56Z", got ${JSON.stringify(value)}`,
    };
  }
  return { ok: true, value: ms };
}

/** Milliseconds since the epoch, or undefined when the string is not a real RFC 3339 date-time. */
export function parseDateTime(s: string): number | undefined {
  const m = DATE_TIME.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec = '0', frac = '', , sign, oh, om] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(sec);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return undefined;
  // Date.UTC rolls 31 February over into March; a round trip catches it.
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), Number(frac.padEnd(3, '0').slice(0, 3)));
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return undefined;
  }
  let offsetMin = 0;
  if (sign) {
    const offH = Number(oh), offM = Number(om);
    if (offH > 23 || offM > 59) return undefined;
    offsetMin = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  return utc - offsetMin * 60_000;
}

/** ISO 8601 in UTC, without milliseconds when they are zero (so the seed's "…:56Z" comes back as sent). */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
