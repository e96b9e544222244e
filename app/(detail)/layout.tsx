/**
 * One record's pages (a device, a certificate, a custom CSR, an alert, a device's readings), in the same
 * signed-in shell as the rest of the dashboard. They live outside `(dashboard)` because its loading.tsx
 * streams a page behind a skeleton: the 200 is sent before the page knows whether its record exists, so
 * an unknown id answered "Page not found" with HTTP 200. Without that boundary notFound() is a real 404.
 */
export { default } from '../(dashboard)/layout';
