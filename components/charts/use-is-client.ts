'use client';

import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/**
 * false during the server render and hydration, true after. Charts draw only in the browser: they need its size,
 * and their labels use its time zone, which the server does not know.
 */
export function useIsClient(): boolean {
  return useSyncExternalStore(subscribe, () => true, () => false);
}
