package dev.runnel.wire.protocol;

import java.util.OptionalInt;

/**
 * A request whose API key no spec defines. Kafka closes the connection without a response; the
 * correlation id, when the frame was long enough to hold one, is kept for the log line.
 */
public final class UnknownApiException extends ProtocolException {
    private final short apiKey;
    private final short apiVersion;
    private final OptionalInt correlationId;

    public UnknownApiException(short apiKey, short apiVersion, OptionalInt correlationId) {
        super("unknown API key " + apiKey + " (version " + apiVersion + ", correlation id "
                + (correlationId.isPresent() ? correlationId.getAsInt() : "unreadable") + ")");
        this.apiKey = apiKey;
        this.apiVersion = apiVersion;
        this.correlationId = correlationId;
    }

    public short apiKey() {
        return apiKey;
    }

    public short apiVersion() {
        return apiVersion;
    }

    /** The request's correlation id; empty when the frame ended before it. */
    public OptionalInt correlationId() {
        return correlationId;
    }
}
