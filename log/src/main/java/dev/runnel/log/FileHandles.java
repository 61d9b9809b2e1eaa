package dev.runnel.log;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Bounds the number of open segment and index files across all partitions of a broker (10,000 partitions times
 * several files each would exhaust file descriptors). Files open lazily on first use and close when evicted and
 * no reader still holds them. Thread-safe; shared by every partition of a {@link LogDirectory}.
 */
public final class FileHandles implements AutoCloseable {
    private final Cache<Path, SharedChannel> open;

    public FileHandles(int maxOpenFiles) {
        this.open = Caffeine.newBuilder()
                .maximumSize(maxOpenFiles)
                .executor(Runnable::run) // release on the evicting thread: no background pool in the log module
                .removalListener((Path path, SharedChannel channel, RemovalCause cause) -> {
                    if (channel != null) {
                        channel.release();
                    }
                })
                .build();
    }

    /**
     * Returns the open file with a reference the caller must {@link SharedChannel#release()}. The file must exist:
     * a file deleted meanwhile throws {@link java.nio.file.NoSuchFileException}, never recreates it.
     */
    public SharedChannel acquire(Path file) throws IOException {
        while (true) {
            SharedChannel channel;
            try {
                channel = open.get(file, FileHandles::openExisting);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (channel.tryRetain()) {
                return channel;
            }
            open.asMap().remove(file, channel); // closed under us by eviction: open it again
        }
    }

    /** Forgets a file that is being renamed or deleted; readers holding it keep it until they release. */
    public void invalidate(Path file) {
        open.invalidate(file);
    }

    public long openFiles() {
        open.cleanUp();
        return open.estimatedSize();
    }

    @Override
    public void close() {
        open.invalidateAll();
        open.cleanUp();
    }

    private static SharedChannel openExisting(Path file) {
        try {
            return new SharedChannel(FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
