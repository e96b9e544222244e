'use client';

import { type ReactNode, useEffect, useRef, useState } from 'react';
import { cn } from './cn';

/**
 * A box that scrolls sideways when its content is wider (a table on a phone). While it does, it is a named,
 * focusable region so a keyboard can scroll it (WCAG 2.1.1; axe: scrollable-region-focusable); while it does not,
 * it adds no Tab stop.
 */
export function ScrollRegion({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setScrolls(el.scrollWidth > el.clientWidth + 1);
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div
      ref={box}
      className={cn('relative w-full overflow-x-auto', scrolls && 'rounded-sm focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none', className)}
      {...(scrolls ? { tabIndex: 0, role: 'region', 'aria-label': label } : {})}
    >
      {children}
    </div>
  );
}
