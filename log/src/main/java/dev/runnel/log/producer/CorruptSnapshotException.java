package dev.runnel.log.producer;

import java.io.IOException;

/** A producer snapshot file that cannot be trusted: unknown version, bad CRC or inconsistent size. */
public final class CorruptSnapshotException extends IOException {
    public CorruptSnapshotException(String message) {
        super(message);
    }
}
