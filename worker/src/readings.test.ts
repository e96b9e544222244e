import { describe, expect, it } from 'vitest';
import { formatTime, parseDateTime, parseReadingBody } from './readings';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const parse = (body: unknown) => parseReadingBody(typeof body === 'string' ? body : JSON.stringify(body), NOW);

describe('parseReadingBody', () => {
  it('accepts the seed\'s bodies: a number (curl) or a numeric string (the Python sensor)', () => {
    expect(parse({ temperature: 36.7, time: '2020-09-28T02:54:56Z' })).toEqual({
      ok: true,
      reading: { temperature: 36.7, timeMs: Date.parse('2020-09-28T02:54:56Z') },
    });
    expect(parse('{"temperature": "36.5", "time": "2020-09-28T15:52:19Z"}')).toMatchObject({ ok: true, reading: { temperature: 36.5 } });
    expect(parse({ temperature: ' -12 ', time: '2020-09-28T15:52:19Z' })).toMatchObject({ reading: { temperature: -12 } });
  });

  it('refuses what it cannot trust, saying which field and why', () => {
    const errors: [unknown, RegExp][] = [
      ['not json', /not valid JSON/],
      ['"36.5"', /JSON object/],
      [null, /JSON object/],
      [{ time: '2020-09-28T02:54:56Z' }, /"temperature" is missing/],
      [{ temperature: true, time: '2020-09-28T02:54:56Z' }, /number or a numeric string/],
      [{ temperature: '1e3', time: '2020-09-28T02:54:56Z' }, /numeric string/],
      [{ temperature: '', time: '2020-09-28T02:54:56Z' }, /numeric string/],
      [{ temperature: '0x20', time: '2020-09-28T02:54:56Z' }, /numeric string/],
      [{ temperature: 150.01, time: '2020-09-28T02:54:56Z' }, /implausible/],
      [{ temperature: '-90.5', time: '2020-09-28T02:54:56Z' }, /implausible/],
      [{ temperature: 36.5 }, /"time" is missing/],
      [{ temperature: 36.5, time: 1601261696 }, /ISO 8601/],
      [{ temperature: 36.5, time: 'Mon Sep 28 2020' }, /ISO 8601/],
      [{ temperature: 36.5, time: '2026-01-02T12:00:01Z' }, /future/],
    ];
    for (const [body, message] of errors) {
      const result = parse(body);
      expect(result.ok, JSON.stringify(body)).toBe(false);
      if (!result.ok) expect(result.error, JSON.stringify(body)).toMatch(message);
    }
  });

  it('refuses a clock that was never set, an overflowing number, and (when configured) old readings, naming the value', () => {
    expect(parse({ temperature: 20, time: '1970-01-01T00:00:05Z' })).toEqual({
      ok: false,
      error: '"time" "1970-01-01T00:00:05Z" is before 2000-01-01: the sensor\'s clock is not set',
    });
    expect(parse({ temperature: 20, time: '1999-12-31T23:59:59Z' }).ok).toBe(false);
    expect(parse({ temperature: 20, time: '2000-01-01T00:00:00Z' }).ok).toBe(true);
    expect(parse({ temperature: 20, time: '2126-01-01T00:00:00Z' })).toEqual({ ok: false, error: '"time" "2126-01-01T00:00:00Z" is more than 24 hours in the future' });
    // 1e309 is Infinity once parsed; the message used to end in "got null".
    expect(parse('{"temperature": 1e309, "time": "2025-12-31T00:00:00Z"}')).toEqual({
      ok: false,
      error: '"temperature" is not a finite number (too large to represent, e.g. 1e309)',
    });
    const week = 7 * 86_400_000;
    const recent = parseReadingBody(JSON.stringify({ temperature: 20, time: '2025-12-26T00:00:00Z' }), NOW, { maxAgeMs: week });
    expect(recent.ok).toBe(true);
    const old = parseReadingBody(JSON.stringify({ temperature: 20, time: '2025-12-24T00:00:00Z' }), NOW, { maxAgeMs: week });
    expect(old).toEqual({ ok: false, error: '"time" "2025-12-24T00:00:00Z" is more than 7 days old; this Worker keeps readings up to 7 days old' });
  });

  it('accepts the plausible edges', () => {
    expect(parse({ temperature: -90, time: '2020-01-01T00:00:00Z' }).ok).toBe(true);
    expect(parse({ temperature: 150, time: '2026-01-02T11:59:59Z' }).ok).toBe(true);
  });
});

describe('parseDateTime', () => {
  it('reads RFC 3339 with offsets, fractions, and no zone as UTC', () => {
    expect(parseDateTime('2020-09-28T02:54:56Z')).toBe(Date.UTC(2020, 8, 28, 2, 54, 56));
    expect(parseDateTime('2020-09-28T04:54:56+02:00')).toBe(Date.UTC(2020, 8, 28, 2, 54, 56));
    expect(parseDateTime('2020-09-27T21:54:56-0500')).toBe(Date.UTC(2020, 8, 28, 2, 54, 56));
    expect(parseDateTime('2020-09-28 02:54:56.25')).toBe(Date.UTC(2020, 8, 28, 2, 54, 56, 250));
    expect(parseDateTime('2020-09-28T02:54')).toBe(Date.UTC(2020, 8, 28, 2, 54));
  });

  it('refuses impossible dates instead of rolling them over', () => {
    for (const bad of ['2021-02-29T00:00:00Z', '2020-13-01T00:00:00Z', '2020-01-01T24:00:00Z', '2020-01-01', 'now']) {
      expect(parseDateTime(bad), bad).toBeUndefined();
    }
    expect(parseDateTime('2020-02-29T00:00:00Z')).toBe(Date.UTC(2020, 1, 29));
  });
});

describe('formatTime', () => {
  it('keeps the seed\'s second-precision form and milliseconds only when there are some', () => {
    expect(formatTime(Date.UTC(2020, 8, 28, 2, 54, 56))).toBe('2020-09-28T02:54:56Z');
    expect(formatTime(Date.UTC(2020, 8, 28, 2, 54, 56, 7))).toBe('2020-09-28T02:54:56.007Z');
  });
});
