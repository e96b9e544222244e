/** certfleet's client for the Worker's /export/est/* (worker/src/est.ts), with the EXPORT_TOKEN bearer. */
import { AppError } from '@/lib/errors';
import type { EstAnswer, EstRequestPage, EstRequestRow, EstTokenSync } from '@/worker/src/est-api';

const TIMEOUT_MS = 30_000;

export class EstWorkerApi {
  private readonly base: string;
  constructor(
    exportUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.base = exportUrl.replace(/\/+$/, '');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new AppError('UNREACHABLE', `The readings Worker cannot be reached (${error instanceof Error ? error.message : String(error)}).`);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? message;
      } catch {
        /* not JSON */
      }
      throw new AppError(res.status === 401 ? 'AUTH' : 'UPSTREAM', `The readings Worker answered ${res.status} to ${method} ${path}: ${message}`);
    }
    return JSON.parse(text) as T;
  }

  pushTokens(tokens: EstTokenSync[]): Promise<{ synced: number }> {
    return this.call('POST', '/export/est/tokens', { tokens });
  }

  pending(after: string, limit: number): Promise<EstRequestPage> {
    return this.requests('pending', after, limit);
  }

  /** Requests in `status`, oldest first, after the cursor (at most 500 a page). */
  requests(status: EstRequestRow['status'], after: string, limit: number): Promise<EstRequestPage> {
    const q = new URLSearchParams({ status, limit: String(limit), ...(after ? { after } : {}) });
    return this.call('GET', `/export/est/requests?${q}`);
  }

  answer(id: string, answer: EstAnswer): Promise<EstRequestRow> {
    return this.call('POST', `/export/est/requests/${id}`, answer);
  }
}
