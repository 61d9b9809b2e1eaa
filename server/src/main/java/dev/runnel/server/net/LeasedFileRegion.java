package dev.runnel.server.net;

import io.netty.channel.DefaultFileRegion;

import java.nio.channels.FileChannel;

/**
 * A slice of a log segment file sent with sendfile, over a {@link FileChannel} that other readers share.
 *
 * <p>{@link DefaultFileRegion} closes its channel when released, which would break every other reader of the
 * segment; this region instead runs {@code releaseLease} exactly once when its reference count reaches zero
 * (after the write completed or failed, or when a response is dropped), leaving the channel open. The lease is
 * what keeps the segment from being deleted or closed while the bytes are in flight.
 */
public final class LeasedFileRegion extends DefaultFileRegion {
    private final Runnable releaseLease;

    /**
     * @param channel      the shared segment channel; borrowed, never closed here
     * @param position     file position of the first byte to send
     * @param count        number of bytes to send
     * @param releaseLease runs once when this region is released; takes ownership of the caller's lease
     */
    public LeasedFileRegion(FileChannel channel, long position, long count, Runnable releaseLease) {
        super(channel, position, count);
        this.releaseLease = releaseLease;
    }

    @Override
    protected void deallocate() {
        // Deliberately not super.deallocate(): that would close the shared channel.
        releaseLease.run();
    }
}
