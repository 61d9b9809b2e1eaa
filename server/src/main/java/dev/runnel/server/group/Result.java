package dev.runnel.server.group;

import java.util.List;
import java.util.function.Consumer;

/**
 * What a coordinator operation decided: the records to append and the response to send once they are
 * committed. When {@code replay} is set the records are also applied to the partition's state (offsets, group
 * deletions); classic-group metadata records are not, since the membership they describe already changed in
 * place (as in Kafka). {@code onAppended} learns the append's outcome (null on success) before the response
 * is completed.
 */
record Result<T>(List<CoordinatorRecord> records, T response, boolean replay, Consumer<Throwable> onAppended) {
    private static final Consumer<Throwable> NOTHING = t -> { };

    Result {
        records = List.copyOf(records);
        onAppended = onAppended == null ? NOTHING : onAppended;
    }

    static <T> Result<T> of(T response) {
        return new Result<>(List.of(), response, false, null);
    }

    static <T> Result<T> replayed(List<CoordinatorRecord> records, T response) {
        return new Result<>(records, response, true, null);
    }

    static Result<Void> notReplayed(List<CoordinatorRecord> records, Consumer<Throwable> onAppended) {
        return new Result<>(records, null, false, onAppended);
    }

    static <T> Result<T> empty() {
        return new Result<>(List.of(), null, false, null);
    }
}
