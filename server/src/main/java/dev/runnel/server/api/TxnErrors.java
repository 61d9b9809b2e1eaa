package dev.runnel.server.api;

import dev.runnel.wire.protocol.Errors;

/** Error codes of the transaction APIs as each request version knows them. */
final class TxnErrors {
    private TxnErrors() {
    }

    /**
     * PRODUCER_FENCED exists from a given version on (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and
     * TxnOffsetCommit v2, InitProducerId v4); older clients get INVALID_PRODUCER_EPOCH, as Kafka answers.
     */
    static short code(Errors error, short version, short producerFencedSince) {
        if (error == Errors.PRODUCER_FENCED && version < producerFencedSince) {
            return Errors.INVALID_PRODUCER_EPOCH.code();
        }
        return error.code();
    }
}
