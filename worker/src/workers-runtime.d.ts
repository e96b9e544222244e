// The small part of the Workers runtime this Worker uses. @cloudflare/workers-types is not installed in this
// repository (it would be the first choice: `npm i -D @cloudflare/workers-types` and list it in tsconfig `types`),
// so these declarations follow workerd's own (github.com/cloudflare/workerd, types/defines/*.d.ts) for exactly
// the members called here.

interface IncomingRequestCfProperties {
  /** See ./tls-client-auth.ts (a module, so the local edge can import the same type). */
  tlsClientAuth?: import('./tls-client-auth').TlsClientAuth;
  [key: string]: unknown;
}

interface Request {
  readonly cf?: IncomingRequestCfProperties;
}

interface SubtleCrypto {
  /** workerd extension: constant-time comparison of equal-length buffers. */
  timingSafeEqual(a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView): boolean;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

type SqlStorageValue = ArrayBuffer | string | number | null;

interface SqlStorageCursor<T extends Record<string, SqlStorageValue>> extends Iterable<T> {
  toArray(): T[];
  one(): T;
  readonly rowsRead: number;
  readonly rowsWritten: number;
}

interface SqlStorage {
  exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T>;
}

interface DurableObjectStorage {
  readonly sql: SqlStorage;
  transactionSync<T>(closure: () => T): T;
}

interface DurableObjectState {
  readonly storage: DurableObjectStorage;
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

interface DurableObjectId {
  toString(): string;
}

/** An RPC stub: every method of the Durable Object class, made async. */
type DurableObjectStub<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

interface DurableObjectNamespace<T = unknown> {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub<T>;
}

declare module 'cloudflare:workers' {
  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}
