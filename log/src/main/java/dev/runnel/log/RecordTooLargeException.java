package dev.runnel.log;

/**
 * A produced batch larger than {@code max.message.bytes}, or a produce request larger than {@code segment.bytes}.
 * The server answers {@code MESSAGE_TOO_LARGE} (batch) or {@code RECORD_LIST_TOO_LARGE} (whole request) as
 * {@link #wholeRequest()} says.
 */
public final class RecordTooLargeException extends RuntimeException {
    private final boolean wholeRequest;

    public RecordTooLargeException(String message, boolean wholeRequest) {
        super(message);
        this.wholeRequest = wholeRequest;
    }

    public boolean wholeRequest() {
        return wholeRequest;
    }
}
