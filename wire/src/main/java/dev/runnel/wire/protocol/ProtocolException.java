package dev.runnel.wire.protocol;

/**
 * The one unchecked exception family of the wire module: bytes that are not a valid Kafka message
 * (truncated, negative or oversized lengths, malformed varints, trailing bytes, unknown API or version).
 * The server closes the connection that sent them, as Kafka does.
 */
public class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
