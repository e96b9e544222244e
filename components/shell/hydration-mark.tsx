'use client';

import { useEffect } from 'react';

/**
 * Marks `<html data-hydrated>` once React has attached its handlers. A click that lands before that
 * does nothing on a server-rendered button; the end-to-end specs wait for the mark after every page
 * load instead of sleeping (a busy machine can take seconds to hydrate).
 */
export function HydrationMark() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return null;
}
