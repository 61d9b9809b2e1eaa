package dev.runnel.log;

import java.time.Clock;

/**
 * What every partition of a log directory shares: the bounded file handles, the bounded index cache, and the
 * clock (injected so tests control time).
 */
public record LogResources(FileHandles files, IndexCache indexes, Clock clock) {
    /** Defaults sized for 10,000 partitions: 4,096 open files, 64 MiB of rolled-segment indexes. */
    public static LogResources defaults(Clock clock) {
        return new LogResources(new FileHandles(4096), new IndexCache(64L * 1024 * 1024), clock);
    }
}
