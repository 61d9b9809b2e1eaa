package dev.runnel.log;

/** An index file that does not describe its segment: the segment rebuilds it from the log. */
final class CorruptIndexException extends Exception {
    CorruptIndexException(String message) {
        super(message, null, false, false);
    }
}
