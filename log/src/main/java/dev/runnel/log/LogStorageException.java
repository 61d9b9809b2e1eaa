package dev.runnel.log;

import java.io.IOException;

/**
 * An I/O failure in a log directory. The directory is taken offline (see {@link LogDirectory#isOffline()}) and
 * the server answers {@code KAFKA_STORAGE_ERROR} for every partition in it. Nothing already flushed is lost:
 * the next start recovers the directory from its files.
 */
public final class LogStorageException extends RuntimeException {
    public LogStorageException(String message, IOException cause) {
        super(message, cause);
    }

    public LogStorageException(String message) {
        super(message);
    }
}
