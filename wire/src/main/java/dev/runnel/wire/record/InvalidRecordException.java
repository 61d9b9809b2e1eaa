package dev.runnel.wire.record;

import dev.runnel.wire.protocol.ProtocolException;

/**
 * A record batch that fails validation: wrong magic, inconsistent length, bad CRC, bad record count,
 * malformed records, corrupt or oversized compressed data. The broker answers {@code CORRUPT_MESSAGE}
 * (or {@code INVALID_RECORD}) for the partition instead of closing the connection.
 */
public final class InvalidRecordException extends ProtocolException {
    public InvalidRecordException(String message) {
        super(message);
    }

    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
