package dev.runnel.wire.record;

/**
 * The type in a control record's key, with Kafka's ids. Transaction markers (ABORT, COMMIT) are the ones
 * a ZooKeeper-mode broker writes; the KRaft types are listed so they can be recognised and skipped.
 */
public enum ControlRecordType {
    ABORT(0),
    COMMIT(1),
    LEADER_CHANGE(2),
    SNAPSHOT_HEADER(3),
    SNAPSHOT_FOOTER(4),
    KRAFT_VERSION(5),
    KRAFT_VOTERS(6),
    /** A type this broker does not know; consumers ignore such records. */
    UNKNOWN(-1);

    private final short id;

    ControlRecordType(int id) {
        this.id = (short) id;
    }

    public short id() {
        return id;
    }

    public boolean isTransactionMarker() {
        return this == ABORT || this == COMMIT;
    }

    public static ControlRecordType fromId(short id) {
        for (ControlRecordType type : values()) {
            if (type.id == id && type != UNKNOWN) {
                return type;
            }
        }
        return UNKNOWN;
    }
}
