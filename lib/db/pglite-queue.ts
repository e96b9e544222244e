import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** The parts of pglite-socket 0.1.x's internal query queue that this fix replaces. */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(error: unknown): void;
  onData(data: Uint8Array): void;
}
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
const PASSWORD = 0x70; // 'p'

/** A message after which PGlite may serve another connection: the end of a simple or extended query. */
function endsExchange(message: Uint8Array): boolean {
  if (message.length >= 8 && message[0] === 0) return true; // startup or SSL request: no type byte
  const type = message[0];
  return type === SYNC || type === QUERY || type === TERMINATE || type === PASSWORD;
}

/**
 * pglite-socket 0.1.x serves many connections from one PGlite by queueing their messages one at a
 * time. It keeps a connection's transaction together, but not an extended-protocol exchange (Parse,
 * Bind, Describe, Execute … Sync): two connections' exchanges interleave, and one Bind lands on the
 * other's unnamed statement ("bind message supplies 4 parameters, but prepared statement requires 3",
 * "unnamed prepared statement does not exist"). node-postgres, and so Prisma's adapter, uses exactly
 * those exchanges. This replaces the queue's scheduler so an exchange, like a transaction, runs to its
 * Sync before another connection's messages go in. (A probe with 60 transactions and 300 reads over two
 * clients: 116 protocol errors before, none after.)
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
 */
export function keepExchangesTogether(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || typeof queue.processQueue !== 'function' || !Array.isArray(queue.queue)) {
    throw new Error('pglite-socket changed its query queue: review lib/db/pglite-queue.ts before upgrading');
  }
  let exchangeOf: number | null = null;

  queue.processQueue = async function processQueue(this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = this.db.isInTransaction() ? this.lastHandlerId : exchangeOf;
        let item: QueuedMessage | undefined;
        if (owner !== null) {
          const at = this.queue.findIndex((q) => q.handlerId === owner);
          if (at === -1) break; // the owner's next message has not arrived; its arrival restarts the queue
          item = this.queue.splice(at, 1)[0];
        } else {
          item = this.queue.shift();
        }
        if (!item) break;
        const current = item;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(current.message, {
              onRawData: (data) => {
                bytes += data.length;
                current.onData(data);
              },
            }),
          );
        } catch (error) {
          exchangeOf = null;
          current.reject(error);
          continue;
        }
        this.lastHandlerId = current.handlerId;
        exchangeOf = endsExchange(current.message) ? null : current.handlerId;
        current.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  const clearTransaction = queue.clearTransactionIfNeeded.bind(queue);
  queue.clearTransactionIfNeeded = async (handlerId: number) => {
    // A connection that dies mid-exchange must not hold the queue for ever.
    if (exchangeOf === handlerId) exchangeOf = null;
    await clearTransaction(handlerId);
    if (queue.queue.length) await queue.processQueue();
  };
}
