/** Saves bytes or text as a file from the browser (nothing is sent anywhere). */
export function saveFile(name: string, data: string | Uint8Array, type = 'application/octet-stream'): void {
  const part: BlobPart = typeof data === 'string' ? data : new Uint8Array(data);
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Chromium reads the blob asynchronously after click().
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A new idempotency key for one submit. */
export function newRequestId(): string {
  return crypto.randomUUID();
}
