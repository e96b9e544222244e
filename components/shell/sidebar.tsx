'use client';

import { ChevronLeft, ChevronRight } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { cn } from '@/components/ui/cn';
import { can, type RoleName } from '@/lib/auth/permissions';
import { Logo } from './logo';
import { activeNavHref, NAV_ITEMS } from './nav-items';

/** The links a role may follow, and which of them is the current page's. */
function useNav(role: RoleName) {
  const pathname = usePathname();
  const items = NAV_ITEMS.filter((item) => can(role, item.permission));
  return { items, current: activeNavHref(pathname, items) };
}

/** The nav's links; `linkClassName` styles a link by whether it is the current page's. */
function NavLinks({ nav, linkClassName, icons = false }: { nav: ReturnType<typeof useNav>; linkClassName: (active: boolean) => string; icons?: boolean }) {
  return nav.items.map((item) => {
    const active = item.href === nav.current;
    return (
      <Link key={item.href} href={item.href} aria-current={active ? 'page' : undefined} className={linkClassName(active)}>
        {icons ? <item.icon aria-hidden className="size-4 shrink-0" /> : null}
        {item.label}
      </Link>
    );
  });
}

export function Sidebar({ role }: { role: RoleName }) {
  const nav = useNav(role);

  return (
    <aside className="hidden w-60 shrink-0 flex-col border-r border-border bg-sidebar md:flex">
      <div className="flex h-14 items-center border-b border-border px-5">
        <Link href="/" className="rounded-md focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
          <Logo />
        </Link>
      </div>
      <nav aria-label="Main" className="flex flex-1 flex-col gap-0.5 p-3">
        <NavLinks
          nav={nav}
          icons
          linkClassName={(active) =>
            cn(
              'flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium transition-colors',
              'focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none',
              active ? 'bg-primary/10 text-primary' : 'text-muted-foreground hover:bg-muted hover:text-foreground',
            )
          }
        />
      </nav>
    </aside>
  );
}

/**
 * The same links for narrow screens, as a strip under the header that scrolls sideways. A strip that is cut
 * off looks finished, so each side that hides links shows a fade and a chevron button that scrolls by most of
 * a screen; the current page's link is scrolled into view on every navigation.
 */
export function MobileNav({ role }: { role: RoleName }) {
  const nav = useNav(role);
  const { current } = nav;
  const strip = useRef<HTMLElement>(null);
  const [more, setMore] = useState({ left: false, right: false });

  const measure = useCallback(() => {
    const el = strip.current;
    if (!el) return;
    // 1 px of slack: zoom levels leave fractional scroll positions.
    setMore({ left: el.scrollLeft > 1, right: el.scrollLeft + el.clientWidth < el.scrollWidth - 1 });
  }, []);

  useEffect(() => {
    const el = strip.current;
    if (!el) return;
    const active = el.querySelector<HTMLElement>('[aria-current="page"]');
    if (active) {
      // Centre the current link without scrolling the page itself (scrollIntoView would).
      el.scrollLeft = Math.max(0, active.offsetLeft - (el.clientWidth - active.offsetWidth) / 2);
    }
    measure();
  }, [current, measure]);

  useEffect(() => {
    const el = strip.current;
    if (!el) return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [measure]);

  const scrollBy = (direction: -1 | 1) => {
    const el = strip.current;
    if (el) el.scrollBy({ left: direction * el.clientWidth * 0.75, behavior: 'smooth' });
  };

  return (
    <div className="relative border-b border-border md:hidden" data-testid="mobile-nav">
      <nav ref={strip} aria-label="Main (compact)" onScroll={measure} className="flex gap-1 overflow-x-auto px-3 py-2 [scrollbar-width:none]">
        <NavLinks
          nav={nav}
          linkClassName={(active) =>
            cn(
              'rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none',
              active ? 'bg-primary/10 text-primary' : 'text-muted-foreground hover:bg-muted',
            )
          }
        />
      </nav>
      {/* Pointer helpers only: keyboard and screen-reader users reach every link through the strip itself. */}
      {more.left ? <ScrollHint side="left" onScroll={() => scrollBy(-1)} /> : null}
      {more.right ? <ScrollHint side="right" onScroll={() => scrollBy(1)} /> : null}
    </div>
  );
}

/** A fade over one end of the strip while links hide past it, with a chevron button that scrolls that way. */
function ScrollHint({ side, onScroll }: { side: 'left' | 'right'; onScroll: () => void }) {
  const left = side === 'left';
  const Chevron = left ? ChevronLeft : ChevronRight;
  return (
    <div
      className={cn(
        'pointer-events-none absolute inset-y-0 flex w-12 items-center from-background from-40% to-transparent',
        left ? 'left-0 bg-gradient-to-r' : 'right-0 justify-end bg-gradient-to-l',
      )}
    >
      <button
        type="button"
        tabIndex={-1}
        aria-label={`Scroll navigation ${side}`}
        onClick={onScroll}
        className={cn('pointer-events-auto flex size-7 items-center justify-center rounded-full border border-border bg-background text-foreground shadow-sm', left ? 'ml-0.5' : 'mr-0.5')}
      >
        <Chevron aria-hidden className="size-4" />
      </button>
    </div>
  );
}
