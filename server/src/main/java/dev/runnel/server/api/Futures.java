package dev.runnel.server.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Waiting for per-resource results: handlers answer once every topic, partition or config has its outcome. */
final class Futures {
    private Futures() {
    }

    /** Completes with every result, in the order of {@code futures}, once all have completed. */
    static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<T> results = new ArrayList<>(futures.size());
            futures.forEach(f -> results.add(f.join()));
            return results;
        });
    }
}
