package dev.runnel.server.api;

/**
 * Authorized-operations bit fields for Metadata and Describe* responses. With no authorizer configured,
 * Kafka reports every operation the resource type supports; so do we.
 */
final class AclOperations {
    /** Kafka's "not requested" value for authorized-operations fields. */
    static final int NOT_REQUESTED = Integer.MIN_VALUE;

    // AclOperation codes: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9,
    // DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12, CREATE_TOKENS 13, DESCRIBE_TOKENS 14
    static final int TOPIC = bits(3, 4, 5, 6, 7, 8, 10, 11);
    static final int GROUP = bits(3, 6, 8);
    static final int CLUSTER = bits(5, 7, 8, 9, 10, 11, 12, 13, 14);

    private AclOperations() {
    }

    private static int bits(int... codes) {
        int field = 0;
        for (int code : codes) {
            field |= 1 << code;
        }
        return field;
    }
}
