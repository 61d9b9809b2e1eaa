package dev.runnel.server.txn;

/**
 * Kafka's transaction states, with the ids {@code TransactionLogValue.TransactionStatus} stores and the names
 * DescribeTransactions and ListTransactions report.
 */
public enum TransactionState {
    EMPTY(0, "Empty"),
    ONGOING(1, "Ongoing"),
    PREPARE_COMMIT(2, "PrepareCommit"),
    PREPARE_ABORT(3, "PrepareAbort"),
    COMPLETE_COMMIT(4, "CompleteCommit"),
    COMPLETE_ABORT(5, "CompleteAbort"),
    DEAD(6, "Dead"),
    PREPARE_EPOCH_FENCE(7, "PrepareEpochFence");

    private final byte id;
    private final String stateName;

    TransactionState(int id, String stateName) {
        this.id = (byte) id;
        this.stateName = stateName;
    }

    public byte id() {
        return id;
    }

    /** The name Kafka's admin APIs use ("Ongoing", ...). */
    public String stateName() {
        return stateName;
    }

    public static TransactionState fromId(byte id) {
        for (TransactionState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown transaction state id " + id);
    }

    /** A state named as Kafka's admin APIs name it, or null. */
    public static TransactionState fromName(String name) {
        for (TransactionState s : values()) {
            if (s.stateName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }

    /** Markers are being written: no new operation may start until the transaction completes. */
    public boolean isPreparing() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    public boolean isComplete() {
        return this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }
}
