import { describe, expect, it } from 'vitest';
import { baseQuery, notePending } from './use-search-params-updater';

// The address bar lags behind router.push until the server answered: updates made meanwhile must
// build on the one still on its way, or the later one silently drops the earlier.
describe('baseQuery: URL updates compose while a navigation is on its way', () => {
  it('a filter chosen while the first is pending keeps both', () => {
    expect(baseQuery('/devices', '')).toBe('');
    notePending('/devices', '', 'status=ACTIVE');
    // The address bar still shows the old query: build on the pending one.
    expect(baseQuery('/devices', '')).toBe('status=ACTIVE');
  });

  it('once the address bar caught up, it is the base again', () => {
    notePending('/devices', '', 'status=ACTIVE');
    expect(baseQuery('/devices', '?status=ACTIVE')).toBe('status=ACTIVE');
    expect(baseQuery('/devices', '?status=ACTIVE&q=lab')).toBe('status=ACTIVE&q=lab');
  });

  it('Back or a link moved the address bar elsewhere: that wins over a stale pending query', () => {
    notePending('/devices', '?q=lab', 'q=lab&status=ACTIVE');
    expect(baseQuery('/devices', '?group=warehouse')).toBe('group=warehouse');
    // …and the stale one is forgotten.
    expect(baseQuery('/devices', '?q=lab')).toBe('q=lab');
  });

  it('another page does not inherit a pending query', () => {
    notePending('/devices', '', 'status=ACTIVE');
    expect(baseQuery('/certificates', '')).toBe('');
  });
});
