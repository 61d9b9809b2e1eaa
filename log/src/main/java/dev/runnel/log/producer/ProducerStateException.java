package dev.runnel.log.producer;

/**
 * An append rejected by the producer-state checks: out-of-order sequence, fenced epoch, invalid transaction
 * state. Carries Kafka's error code for the partition's produce response. Nothing was written.
 */
public final class ProducerStateException extends RuntimeException {
    private final ProducerCheck.Outcome outcome;

    public ProducerStateException(ProducerCheck check) {
        super(check.message());
        this.outcome = check.outcome();
    }

    public ProducerCheck.Outcome outcome() {
        return outcome;
    }

    public short errorCode() {
        return outcome.errorCode();
    }
}
