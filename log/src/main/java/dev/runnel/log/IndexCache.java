package dev.runnel.log;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Bounds the heap used by the indexes of rolled segments: they load from their files on first lookup and are
 * dropped when the cache's byte budget is exceeded (an active segment keeps its own indexes pinned instead).
 * Thread-safe; shared by every partition of a {@link LogDirectory}.
 */
public final class IndexCache {
    private final Cache<Path, IndexEntries> loaded;

    public IndexCache(long maxBytes) {
        this.loaded = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Path path, IndexEntries entries) -> entries.heapBytes())
                .executor(Runnable::run)
                .build();
    }

    IndexEntries get(Path file, Function<Path, IndexEntries> loader) {
        return loaded.get(file, loader);
    }

    IndexEntries getIfPresent(Path file) {
        return loaded.getIfPresent(file);
    }

    void put(Path file, IndexEntries entries) {
        loaded.put(file, entries);
    }

    void invalidate(Path file) {
        loaded.invalidate(file);
    }
}
