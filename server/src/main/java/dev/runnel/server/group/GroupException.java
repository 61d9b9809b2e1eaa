package dev.runnel.server.group;

import dev.runnel.wire.protocol.Errors;

/** A group operation failed with a Kafka error code; the caller turns it into that API's error response. */
public final class GroupException extends RuntimeException {
    private final Errors error;

    public GroupException(Errors error) {
        this(error, error.message());
    }

    public GroupException(Errors error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public Errors error() {
        return error;
    }

    /** The Kafka error for any failure: a GroupException's own, otherwise UNKNOWN_SERVER_ERROR. */
    public static Errors errorOf(Throwable t) {
        Throwable cause = t;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof GroupException g ? g.error : Errors.UNKNOWN_SERVER_ERROR;
    }
}
