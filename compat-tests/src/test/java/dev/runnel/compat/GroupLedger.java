package dev.runnel.compat;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the members of one consumer group did, shared by their polling threads: which live member owns which
 * partition, which records each processed and which of those were covered by a successful synchronous commit.
 * <p>
 * Two rules are checked as events arrive and collected as violations: a partition is never assigned to a member
 * while another live member still owns it, and a record whose commit succeeded is never processed again (records
 * processed but not committed, e.g. by a member that crashed or whose commit failed in a rebalance, may
 * legitimately be processed again). Records are identified by their value, unique per test.
 */
final class GroupLedger {
    private final Map<TopicPartition, String> owners = new ConcurrentHashMap<>();
    private final Set<String> dead = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> timesProcessed = new ConcurrentHashMap<>();
    private final Set<String> committed = ConcurrentHashMap.newKeySet();
    private final List<String> violations = new ArrayList<>();

    void assigned(String member, Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            String previous = owners.put(tp, member);
            if (previous != null && !previous.equals(member) && !dead.contains(previous)) {
                violation(tp + " assigned to " + member + " while live member " + previous + " still owns it");
            }
        }
    }

    void released(String member, Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            owners.remove(tp, member);
        }
    }

    /** The member stopped without telling anyone: it owns nothing any more, and its callbacks are ignored. */
    void died(String member) {
        dead.add(member);
        owners.values().removeIf(member::equals);
    }

    boolean isDead(String member) {
        return dead.contains(member);
    }

    void processed(String member, ConsumerRecord<byte[], byte[]> record) {
        String id = id(record);
        if (committed.contains(id)) {
            violation(member + " processed " + id + " (" + record.partition() + "/" + record.offset()
                    + ") again after its processing had been committed");
        }
        timesProcessed.merge(id, 1, Integer::sum);
    }

    void committed(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            committed.add(id(r));
        }
    }

    Set<String> processedIds() {
        return timesProcessed.keySet();
    }

    /** Records processed more than once (allowed only when the first processing was not committed). */
    Map<String, Integer> reprocessed() {
        Map<String, Integer> again = new TreeMap<>();
        timesProcessed.forEach((id, n) -> {
            if (n > 1) {
                again.put(id, n);
            }
        });
        return again;
    }

    Map<TopicPartition, String> owners() {
        return Map.copyOf(owners);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    private synchronized void violation(String what) {
        violations.add(what);
    }

    private static String id(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }
}
