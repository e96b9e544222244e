import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { HydrationMark } from '@/components/shell/hydration-mark';
import { themeInitScript } from '@/components/shell/theme';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'certfleet', template: '%s · certfleet' },
  description: 'Client certificates for an IoT fleet behind Cloudflare API Shield mTLS.',
  // app/icon.svg is linked by Next itself; these serve browsers and phones that want bitmaps.
  icons: { icon: [{ url: '/favicon.ico', sizes: '16x16 32x32 48x48' }], apple: '/apple-touch-icon.png' },
  manifest: '/manifest.webmanifest',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // proxy.ts's per-request nonce: the Content-Security-Policy runs only scripts that carry it.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    // The inline script sets the theme class before hydration; React must not "correct" it.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeInitScript }} />
      </head>
      <body className="min-h-dvh antialiased">
        {children}
        <HydrationMark />
      </body>
    </html>
  );
}
