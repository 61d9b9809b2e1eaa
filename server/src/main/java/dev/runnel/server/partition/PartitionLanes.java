package dev.runnel.server.partition;

import dev.runnel.log.TopicPartition;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * N single-thread executors; a partition's lane is chosen by a stable hash of the partition, so every write
 * to a partition's log, producer state and coordinator state happens on one thread, in order, with no locks.
 */
public final class PartitionLanes implements AutoCloseable {
    private final ExecutorService[] lanes;

    public PartitionLanes(int count) {
        lanes = new ExecutorService[count];
        for (int i = 0; i < count; i++) {
            String name = "runnel-lane-" + i;
            lanes[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
    }

    public ExecutorService laneFor(TopicPartition tp) {
        return lanes[Math.floorMod(tp.hashCode(), lanes.length)];
    }

    @Override
    public void close() {
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
        for (ExecutorService lane : lanes) {
            try {
                lane.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
