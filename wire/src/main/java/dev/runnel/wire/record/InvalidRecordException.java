package dev.runnel.wire.record;

import dev.runnel.wire.protocol.ProtocolException;

/**
 * A record batch that fails validation: wrong magic, inconsistent length, bad CRC, bad record count.
 * The broker answers {@code CORRUPT_MESSAGE} for the partition instead of closing the connection.
 */
public final class InvalidRecordException extends ProtocolException {
    public InvalidRecordException(String message) {
        super(message);
    }
}
