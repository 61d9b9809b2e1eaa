package dev.runnel.log.producer;

/**
 * What the table remembers of one appended batch: enough to answer a retried produce request with the
 * offsets the batch was first written at. Sequences and offsets advance together inside a batch, so
 * {@code offsetDelta} gives both the first sequence and the first offset.
 *
 * @param lastSeq     sequence of the batch's last record
 * @param lastOffset  offset of the batch's last record
 * @param offsetDelta {@code lastOffset - firstOffset}
 * @param timestamp   max timestamp of the batch
 */
public record BatchMetadata(int lastSeq, long lastOffset, int offsetDelta, long timestamp) {

    public int firstSeq() {
        return decrementSequence(lastSeq, offsetDelta);
    }

    public long firstOffset() {
        return lastOffset - offsetDelta;
    }

    /** Sequences wrap from {@code Integer.MAX_VALUE} to 0, as the producer wraps them. */
    static int decrementSequence(int sequence, int decrement) {
        if (sequence < decrement) {
            return Integer.MAX_VALUE - (decrement - sequence) + 1;
        }
        return sequence - decrement;
    }

    /** True if {@code next} directly follows {@code last}, counting the wrap at {@code Integer.MAX_VALUE}. */
    static boolean inSequence(int last, int next) {
        return next == last + 1L || (next == 0 && last == Integer.MAX_VALUE);
    }
}
