package dev.runnel.server.txn;

import dev.runnel.wire.protocol.Errors;

/** A transaction operation failed with a Kafka error code the client should see. */
final class TransactionException extends RuntimeException {
    private final Errors error;

    TransactionException(Errors error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    Errors error() {
        return error;
    }

    static Errors errorOf(Throwable t) {
        Throwable cause = t;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof TransactionException e ? e.error() : Errors.UNKNOWN_SERVER_ERROR;
    }
}
