import { readBytesLimited } from './read-limited';

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export function error(status: number, message: string, headers: Record<string, string> = {}): Response {
  return json({ error: message }, status, headers);
}

export type BodyResult = { ok: true; text: string } | { ok: false; response: Response };

/**
 * Reads at most `limit` bytes. Content-Length is checked first, but chunked uploads carry none, so the stream is
 * counted too and abandoned as soon as it passes the limit (a sensor gone wrong cannot make us buffer megabytes).
 */
export async function readBodyLimited(request: Request, limit: number): Promise<BodyResult> {
  const tooLarge = () => ({ ok: false as const, response: error(413, `body is larger than ${limit} bytes`) });
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) return tooLarge();
  const bytes = await readBytesLimited(request.body, limit);
  if (!bytes) return tooLarge();
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, response: error(400, 'body is not valid UTF-8') };
  }
}

/** Constant-time string comparison (hashing first so unequal lengths take the same path). */
export async function safeEqual(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest('SHA-256', enc.encode(a)),
    crypto.subtle.digest('SHA-256', enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}
