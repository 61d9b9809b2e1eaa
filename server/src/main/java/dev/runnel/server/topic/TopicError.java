package dev.runnel.server.topic;

import dev.runnel.wire.protocol.Errors;

/** An error code with the message Kafka would put next to it; {@link #NONE} for success. */
public record TopicError(Errors error, String message) {
    public static final TopicError NONE = new TopicError(Errors.NONE, null);

    public static TopicError of(Errors error, String message) {
        return new TopicError(error, message);
    }

    public boolean isSuccess() {
        return error == Errors.NONE;
    }
}
