package dev.runnel.server.partition;

import dev.runnel.log.LogSlice;
import dev.runnel.wire.protocol.Records;

/**
 * A records section read from a log: a file slice with a lease. Owns the lease until the network layer turns it
 * into a file region (which releases it after the send) or {@link #release()} is called.
 */
public record LogSliceRecords(LogSlice slice) implements Records {
    @Override
    public int sizeInBytes() {
        return slice.size();
    }

    public void release() {
        slice.release();
    }
}
