package dev.runnel.server.api;

import dev.runnel.log.InvalidRecordKeyException;
import dev.runnel.log.LogStorageException;
import dev.runnel.log.RecordTooLargeException;
import dev.runnel.log.producer.ProducerStateException;
import dev.runnel.server.partition.Partitions;
import dev.runnel.wire.protocol.Errors;
import dev.runnel.wire.record.InvalidRecordException;

import java.util.concurrent.CompletionException;

/** The Kafka error code for a failed append, as Kafka's produce path reports it. */
final class AppendErrors {
    private AppendErrors() {
    }

    static short codeFor(Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (e instanceof ProducerStateException p) {
            return p.errorCode();
        }
        if (e instanceof RecordTooLargeException tooLarge) {
            return (tooLarge.wholeRequest() ? Errors.RECORD_LIST_TOO_LARGE : Errors.MESSAGE_TOO_LARGE).code();
        }
        if (e instanceof InvalidRecordKeyException) {
            return Errors.INVALID_RECORD.code();
        }
        if (e instanceof InvalidRecordException) {
            return Errors.CORRUPT_MESSAGE.code();
        }
        if (e instanceof LogStorageException) {
            return Errors.KAFKA_STORAGE_ERROR.code();
        }
        if (e instanceof Partitions.UnknownPartitionException) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION.code();
        }
        return Errors.UNKNOWN_SERVER_ERROR.code();
    }

    static String messageFor(Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return e.getMessage();
    }
}
