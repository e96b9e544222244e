import { describe, expect, it } from 'vitest';
import { parseChartRange, ReadingsQuerySchema } from './ranges';

const NOW = new Date('2026-12-06T12:00:00Z');

describe('parseChartRange and the readings API query', () => {
  // Each of these answered 500 ("e.to.getTime is not a function") before: the span checks ran on raw text.
  it.each([
    [{ from: 'yesterday', to: '2026-12-06T00:00:00Z' }, "The range's from is not an ISO 8601 date-time."],
    [{ from: '2026-12-01T00:00:00Z', to: 'soon' }, "The range's to is not an ISO 8601 date-time."],
    [{ from: '2026-12-01T00:00:00Z' }, "The range's to is not an ISO 8601 date-time."],
    [{ to: '2026-12-01T00:00:00Z' }, "The range's from is not an ISO 8601 date-time."],
    [{ from: 'x', to: 'y' }, "The range's from is not an ISO 8601 date-time."],
    [{ from: ['2026-12-01T00:00:00Z', 'b'], to: '' }, "The range's to is not an ISO 8601 date-time."],
    [{ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }, 'The end of the range must be after its start.'],
  ])('%j falls back to the default with a message on a page, and is a message for the API', (search, message) => {
    const page = parseChartRange(search, NOW);
    expect(page).toMatchObject({ preset: '24h', error: message });
    const api = ReadingsQuerySchema.safeParse(search);
    expect(api.success).toBe(false);
    expect(api.error?.issues[0]?.message).toBe(message);
  });

  it('still reads a good custom range', () => {
    expect(parseChartRange({ from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' }, NOW)).toEqual({
      preset: 'custom',
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2026-12-02T00:00:00Z'),
    });
  });
});
