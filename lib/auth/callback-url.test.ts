import { describe, expect, it } from 'vitest';
import { safeCallbackPath } from './callback-url';

describe('safeCallbackPath', () => {
  it.each([
    ['/devices', '/devices'],
    ['/users?role=ADMIN&page=2', '/users?role=ADMIN&page=2'],
    ['/certificates#expiring', '/certificates#expiring'],
    ['/a/../users', '/users'],
  ])('keeps the same-origin path %s', (raw, expected) => {
    expect(safeCallbackPath(raw)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    '//evil.example/path',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'devices',
    '',
    '/signin?callbackUrl=/users',
    '/signout',
  ])('refuses %j', (raw) => {
    expect(safeCallbackPath(raw)).toBe('/');
  });

  it('refuses non-strings and uses the fallback', () => {
    expect(safeCallbackPath(undefined, '/x')).toBe('/x');
    expect(safeCallbackPath(['/users'])).toBe('/');
  });
});
