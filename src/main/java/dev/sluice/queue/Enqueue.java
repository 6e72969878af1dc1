package dev.sluice.queue;

import java.time.Instant;

/**
 * How an enqueue call should treat idempotency and batches, and what it did.
 */
public final class Enqueue {

    private Enqueue() {
    }

    /**
     * @param idempotencyScope which endpoint the key belongs to ({@code jobs}, {@code batches}, {@code orders})
     * @param idempotencyKey   the client's Idempotency-Key, or null
     * @param ownerId          the id the first request creates (job, batch or order id)
     * @param fingerprint      what identifies the request's content
     * @param batchId          the batch the jobs form, or null
     * @param record           a client record written with the jobs, or null (see {@link Records#attach})
     * @param batchCallback    the batch's callback (JSON as for a job's), fired once when every member ended; or null
     */
    public record Options(String idempotencyScope, String idempotencyKey, String ownerId, String fingerprint,
            String batchId, Record record, String batchCallback) {

        public static final Options NONE = new Options(null, null, null, null, null, null, null);

        public static Options batch(String batchId) {
            return new Options(null, null, null, null, batchId, null, null);
        }

        public Options withIdempotency(String scope, String key, String owner, String print) {
            return new Options(scope, key, owner, print, batchId, record, batchCallback);
        }

        public Options withRecord(Record attached) {
            return new Options(idempotencyScope, idempotencyKey, ownerId, fingerprint, batchId, attached, batchCallback);
        }

        public Options withBatchCallback(String spec) {
            return new Options(idempotencyScope, idempotencyKey, ownerId, fingerprint, batchId, record, spec);
        }
    }

    /**
     * A client record (an order) created by the same script call as its first jobs, so that neither
     * exists without the other. Made by {@link Records#attach}.
     */
    public record Record(String hashKey, String indexKey, String listKey, String json) {
    }

    /** The outcome: written, or a replay of an earlier request with the same Idempotency-Key. */
    public sealed interface Result permits Accepted, Duplicate {
    }

    /** @param createdAt Redis time stamped on every job of the call */
    public record Accepted(Instant createdAt) implements Result {
    }

    /** @param ownerId what the first request created; @param fingerprint the first request's fingerprint */
    public record Duplicate(String ownerId, String fingerprint) implements Result {
    }
}
