package dev.runnel.compat;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.clients.consumer.CommitFailedException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One member of a consumer group: a {@link KafkaConsumer} subscribed to a topic and polling on its own thread.
 * Every batch it polls is reported to the {@link GroupLedger} as processed, then committed with
 * {@code commitSync}, and reported as committed only if that succeeded. Rebalance callbacks are recorded in
 * order ({@link #callbacks()}) and keep {@link #owned()} and the ledger's ownership up to date.
 * <p>
 * The consumer is touched only by the polling thread; the other methods are safe from the test thread.
 */
final class GroupMember implements AutoCloseable {
    enum Stop {
        /** {@code close()}: a dynamic member sends LeaveGroup, a static one stays in the group. */
        CLOSE,
        /** Stops heartbeating without LeaveGroup, as if the process died: only the session timeout removes it. */
        CRASH
    }

    record Callback(String kind, Set<TopicPartition> partitions) {
    }

    private final String name;
    private final GroupLedger ledger;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    private final List<Callback> callbacks = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> failedCommits = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile Stop stop = Stop.CLOSE;
    private volatile String memberId = "";
    private volatile int generation = -1;
    private volatile Throwable failure;

    private GroupMember(String name, String bootstrap, String topic, Map<String, Object> config, GroupLedger ledger) {
        this.name = name;
        this.ledger = ledger;
        Map<String, Object> props = new HashMap<>(config);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        props.putIfAbsent(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        this.consumer = Clients.consumer(bootstrap, props);
        this.thread = new Thread(() -> run(topic), "member-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts a member; {@code config} holds at least {@code group.id}. */
    static GroupMember start(String name, String bootstrap, String topic, Map<String, Object> config, GroupLedger ledger) {
        GroupMember member = new GroupMember(name, bootstrap, topic, config, ledger);
        member.thread.start();
        return member;
    }

    private void run(String topic) {
        try {
            consumer.subscribe(List.of(topic), new Listener());
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    process(records);
                }
            }
            if (stop == Stop.CRASH) {
                ledger.died(name);
                consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
                        .withTimeout(Duration.ofSeconds(10)));
            } else {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(30)));
            }
        } catch (Throwable t) {
            failure = t;
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
    }

    private void process(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ledger.processed(name, r);
            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1, r.leaderEpoch(), ""));
        }
        try {
            consumer.commitSync(next);
            ledger.committed(records);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the group moved on: these records were not committed and their next owner may process them again
            failedCommits.merge(e.getClass().getSimpleName(), 1, Integer::sum);
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (ledger.isDead(name)) {
                return;
            }
            memberId = consumer.groupMetadata().memberId();
            generation = consumer.groupMetadata().generationId();
            ledger.assigned(name, partitions);
            owned.addAll(partitions);
            callbacks.add(new Callback("assigned", Set.copyOf(partitions)));
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            release("revoked", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release("lost", partitions);
        }

        private void release(String kind, Collection<TopicPartition> partitions) {
            if (ledger.isDead(name)) {
                return;
            }
            owned.removeAll(partitions);
            ledger.released(name, partitions);
            callbacks.add(new Callback(kind, Set.copyOf(partitions)));
        }
    }

    String name() {
        return name;
    }

    String memberId() {
        return memberId;
    }

    int generation() {
        return generation;
    }

    Set<TopicPartition> owned() {
        return Set.copyOf(owned);
    }

    List<Callback> callbacks() {
        return List.copyOf(callbacks);
    }

    /** Commits that failed because the group was rebalancing, by exception. */
    Map<String, Integer> failedCommits() {
        return Map.copyOf(failedCommits);
    }

    /** Stops polling and closes the consumer the given way; waits (bounded) for the thread to finish. */
    void stop(Stop how) throws InterruptedException {
        stop = how;
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(40));
        if (thread.isAlive()) {
            throw new AssertionError(name + " did not stop within 40 s");
        }
        if (failure != null) {
            throw new AssertionError(name + " failed while polling", failure);
        }
    }

    /** Fails if the polling thread died. */
    void assertHealthy() {
        if (failure != null) {
            throw new AssertionError(name + " failed while polling", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (thread.isAlive()) {
            stop(Stop.CLOSE);
        }
    }

    @Override
    public String toString() {
        return name + "(" + memberId + ", generation " + generation + ", owns " + new ArrayList<>(owned) + ")";
    }
}
