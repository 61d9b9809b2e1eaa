package dev.runnel.log.producer;

/**
 * The verdict of {@link ProducerStateTable#check}: append the batch, answer it as a duplicate with the
 * offsets it was first written at, or reject it with a Kafka error code.
 *
 * @param outcome     what to do with the batch
 * @param firstOffset for {@link Outcome#DUPLICATE}, the first offset the batch was originally written at;
 *                    otherwise -1
 * @param lastOffset  for {@link Outcome#DUPLICATE}, the original last offset; otherwise -1
 * @param message     why the batch is rejected (Kafka puts it in the partition's error message); empty
 *                    when it is not
 */
public record ProducerCheck(Outcome outcome, long firstOffset, long lastOffset, String message) {

    /** The only instance for {@link Outcome#OK}: the hot path allocates nothing. */
    public static final ProducerCheck OK = new ProducerCheck(Outcome.OK, -1L, -1L, "");

    public enum Outcome {
        /** A new batch: append it, then call {@link ProducerStateTable#update}. */
        OK((short) 0),
        /** A retry of one of the producer's last five batches: do not append; answer success with the original offsets. */
        DUPLICATE((short) 0),
        /** The sequence does not follow the producer's last one, or a new epoch does not start at 0. */
        OUT_OF_ORDER_SEQUENCE_NUMBER((short) 45),
        /** The epoch is older than the producer's current one: a fenced zombie (or a stale marker). */
        INVALID_PRODUCER_EPOCH((short) 47),
        /** A non-transactional batch from a producer with a transaction open on this partition. */
        INVALID_TXN_STATE((short) 48),
        /** A marker from a transaction coordinator older than the last one seen for this producer. */
        TRANSACTION_COORDINATOR_FENCED((short) 52);

        private final short errorCode;

        Outcome(short errorCode) {
            this.errorCode = errorCode;
        }

        /** The Kafka error code to answer the partition with (0, NONE, for OK and DUPLICATE). */
        public short errorCode() {
            return errorCode;
        }
    }

    public boolean isOk() {
        return outcome == Outcome.OK;
    }

    public boolean isDuplicate() {
        return outcome == Outcome.DUPLICATE;
    }

    /** True if the batch must not be appended and the partition answers with an error. */
    public boolean isError() {
        return outcome.errorCode != 0;
    }

    static ProducerCheck duplicate(BatchMetadata original) {
        return new ProducerCheck(Outcome.DUPLICATE, original.firstOffset(), original.lastOffset(), "");
    }

    static ProducerCheck reject(Outcome outcome, String message) {
        return new ProducerCheck(outcome, -1L, -1L, message);
    }
}
