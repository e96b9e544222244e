'use client';

import { useEffect } from 'react';

/**
 * Keeps a person from leaving a page that holds something that cannot be fetched again (a private
 * key made in this browser). `beforeunload` covers reload and closing the tab, but the app's own
 * links navigate without unloading the page, so they are caught too: a click on any same-origin link
 * (sidebar, "View device", breadcrumbs…) and the browser's Back button ask first.
 */

const active = new Set<{ message: string }>();

/** Asks whether to leave while a guard is armed; true when nothing is guarded or the person agrees. */
export function confirmLeave(): boolean {
  const first = active.values().next().value;
  if (!first) return true;
  return window.confirm(first.message);
}

function isGuardedLink(event: MouseEvent): HTMLAnchorElement | null {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const anchor = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (!(anchor instanceof HTMLAnchorElement)) return null;
  if (anchor.hasAttribute('download') || (anchor.target && anchor.target !== '_self')) return null;
  const url = new URL(anchor.href, window.location.href);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // A file from the API downloads without leaving the page.
  if (url.origin === window.location.origin && url.pathname.startsWith('/api/')) return null;
  // Same page, only another fragment: nothing is lost.
  if (url.origin === window.location.origin && url.pathname === window.location.pathname && url.search === window.location.search) return null;
  return anchor;
}

export function useLeaveGuard(armed: boolean, message: string): void {
  useEffect(() => {
    if (!armed) return;
    const token = { message };
    active.add(token);
    let released = false;
    const release = () => {
      released = true;
      active.delete(token);
    };

    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (released) return;
      event.preventDefault();
      // Older Chromium needs a returnValue to show the prompt.
      event.returnValue = '';
    };
    // Capture phase on window: before React's (and next/link's) handlers on the document.
    const onClick = (event: MouseEvent) => {
      if (released || !isGuardedLink(event)) return;
      if (window.confirm(message)) {
        release();
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
    };
    // Back/forward: a copy of this entry is pushed on top, so Back lands on this page again and asks.
    window.history.pushState(window.history.state, '', window.location.href);
    const onPopState = () => {
      if (released) return;
      if (window.confirm(message)) {
        release();
        window.history.back();
      } else {
        window.history.pushState(window.history.state, '', window.location.href);
      }
    };

    window.addEventListener('beforeunload', onBeforeUnload);
    window.addEventListener('click', onClick, true);
    window.addEventListener('popstate', onPopState);
    return () => {
      active.delete(token);
      window.removeEventListener('beforeunload', onBeforeUnload);
      window.removeEventListener('click', onClick, true);
      window.removeEventListener('popstate', onPopState);
    };
  }, [armed, message]);
}
