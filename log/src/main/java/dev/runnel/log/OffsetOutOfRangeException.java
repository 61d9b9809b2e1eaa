package dev.runnel.log;

/**
 * A read or truncation asked for an offset outside [log start offset, log end offset]. The server answers
 * {@code OFFSET_OUT_OF_RANGE}.
 */
public final class OffsetOutOfRangeException extends RuntimeException {
    public OffsetOutOfRangeException(String message) {
        super(message);
    }
}
