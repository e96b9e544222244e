/**
 * Runs once when a Next server starts (`next start`, `next dev`, each replica). The Node.js part lives
 * in instrumentation-node.ts, imported only there, so the Edge build never sees its Node-only calls.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./instrumentation-node');
}
