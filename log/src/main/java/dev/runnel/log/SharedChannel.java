package dev.runnel.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference-counted open file. {@link FileHandles} holds one reference while the channel is cached; every user
 * (a writer for one call, a reader until its {@link LogSlice} is released) holds another. The channel closes when
 * the last reference goes, so evicting or deleting a file never cuts off a send in progress. Thread-safe.
 */
public final class SharedChannel {
    private final FileChannel channel;
    private final AtomicInteger refs = new AtomicInteger(1);

    SharedChannel(FileChannel channel) {
        this.channel = channel;
    }

    public FileChannel channel() {
        return channel;
    }

    /** Takes a reference unless the channel has already closed; false means "open it again". */
    boolean tryRetain() {
        while (true) {
            int n = refs.get();
            if (n <= 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void release() {
        int n = refs.decrementAndGet();
        if (n == 0) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a read/write channel after its data was written cannot lose data we acknowledged
            }
        } else if (n < 0) {
            throw new IllegalStateException("SharedChannel released more often than retained");
        }
    }

    int refCount() {
        return refs.get();
    }
}
