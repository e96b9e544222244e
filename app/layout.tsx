import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { themeInitScript } from '@/components/shell/theme';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'certfleet', template: '%s · certfleet' },
  description: 'Client certificates for an IoT fleet behind Cloudflare API Shield mTLS.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The inline script sets the theme class before hydration; React must not "correct" it.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeInitScript }} />
      </head>
      <body className="min-h-dvh antialiased">{children}</body>
    </html>
  );
}
