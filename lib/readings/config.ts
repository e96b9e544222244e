import 'server-only';

/**
 * Where the readings Worker's export API is, from WORKER_EXPORT_URL and WORKER_EXPORT_TOKEN (set by `npm start`
 * in local mode, or by the operator for a deployed Worker). The only place in lib/readings that reads them; the
 * token never leaves the server. null when either is unset (pulling is then unavailable, charts still work).
 */
export function workerExportConfig(): { exportUrl: string; exportToken: string } | null {
  const exportUrl = process.env.WORKER_EXPORT_URL?.trim();
  const exportToken = process.env.WORKER_EXPORT_TOKEN?.trim();
  if (!exportUrl || !exportToken) return null;
  return { exportUrl, exportToken };
}
