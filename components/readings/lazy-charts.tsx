'use client';

import dynamic from 'next/dynamic';

// recharts is the largest library the dashboard uses: the charts are loaded after the page, each behind a
// placeholder of its own size (the pulse the charts show before they measure the browser), so the routes
// that draw one do not send it with their first load.

export const LazyFleetTemperatureChart = dynamic(() => import('@/components/charts/fleet-temperature-chart').then((m) => m.FleetTemperatureChart), {
  ssr: false,
  loading: () => <div style={{ height: 380 }} className="animate-pulse rounded-md bg-muted" aria-hidden />,
});

export const LazyDeviceTemperatureChart = dynamic(() => import('@/components/charts/device-temperature-chart').then((m) => m.DeviceTemperatureChart), {
  ssr: false,
  loading: () => <div style={{ height: 360 }} className="animate-pulse rounded-md bg-muted" aria-hidden />,
});

export const LazyReadingsSparkline = dynamic(() => import('@/components/readings/readings-sparkline').then((m) => m.ReadingsSparkline), {
  ssr: false,
  loading: () => <div className="h-20 w-full animate-pulse rounded-md bg-muted" aria-hidden />,
});
