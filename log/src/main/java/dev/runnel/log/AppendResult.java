package dev.runnel.log;

/**
 * The outcome of an append, as a Produce response needs it.
 *
 * @param baseOffset      offset of the first record appended
 * @param lastOffset      offset of the last record appended
 * @param logAppendTime   the broker time stamped into the batches under LogAppendTime, else -1
 * @param logStartOffset  the log start offset after the append
 * @param duplicate       the batch was a producer retry already in the log; nothing was written
 */
public record AppendResult(long baseOffset, long lastOffset, long logAppendTime, long logStartOffset, boolean duplicate) {
}
