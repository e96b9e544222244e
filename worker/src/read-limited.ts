// Reading a request body under a byte limit, in a module without imports: the Worker (http.ts) and certfleet's
// route handlers (lib/server/route.ts) both read bodies this way, in workerd and in Node.

/**
 * The stream's bytes, or null as soon as it passes `limit` bytes (the stream is then cancelled). Content-Length
 * alone is not enough: chunked uploads carry none, so the stream itself is counted and nothing over the limit is
 * buffered.
 */
export async function readBytesLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}
