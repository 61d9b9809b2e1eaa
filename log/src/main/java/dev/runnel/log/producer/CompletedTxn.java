package dev.runnel.log.producer;

/**
 * A transaction ended by a COMMIT or ABORT marker, as the log needs it for the transaction index
 * ({@code .txnindex}) and the last stable offset.
 *
 * @param producerId       the producer whose transaction ended
 * @param firstOffset      offset of the transaction's first data batch in this partition
 * @param lastOffset       offset of the marker
 * @param aborted          true for ABORT, false for COMMIT
 * @param lastStableOffset the last stable offset right after this marker, ignoring replication: the first
 *                         offset of the oldest transaction still open, or {@code lastOffset + 1} if none is
 */
public record CompletedTxn(long producerId, long firstOffset, long lastOffset, boolean aborted, long lastStableOffset) {
}
