package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer groups with kafka-clients 4.3 on the classic protocol: rebalances when members join, leave and crash,
 * the cooperative-sticky assignor, and static membership. Every partition has exactly one live owner after each
 * change, as both the members' rebalance callbacks and the coordinator's DescribeGroups answer see it.
 */
class ConsumerGroupsIT {
    private static final int PARTITIONS = 6;

    @TempDir
    static Path dir;
    static RunningBroker broker;
    static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = RunningBroker.start(dir.resolve("data"));
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        broker.close();
    }

    @ParameterizedTest
    @ValueSource(classes = {RangeAssignor.class, CooperativeStickyAssignor.class})
    void membersJoinLeaveAndCrashWithoutLosingRecordsOrProcessingCommittedOnesAgain(Class<?> assignor) throws Exception {
        String topic = "rebalance-" + assignor.getSimpleName();
        String group = "g-" + topic;
        createTopic(topic);
        GroupLedger ledger = new GroupLedger();
        Map<String, Object> config = new HashMap<>(memberConfig(group));
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor.getName());
        List<GroupMember> live = new ArrayList<>();
        try (KeyedProducer producer = new KeyedProducer(topic)) {
            for (String name : List.of("m1", "m2", "m3")) {
                live.add(GroupMember.start(name, broker.bootstrap(), topic, config, ledger));
            }
            awaitStable(group, ledger, live);
            awaitProcessed(ledger, producer.ackedSoFar());

            GroupMember leaving = live.remove(1);
            leaving.stop(GroupMember.Stop.CLOSE);
            awaitStable(group, ledger, live);
            awaitProcessed(ledger, producer.ackedSoFar());

            GroupMember crashing = live.remove(1);
            crashing.stop(GroupMember.Stop.CRASH);
            // no LeaveGroup was sent: the coordinator still counts the crashed member until its session times out
            assertEquals(2, describe(group).members().size(), "members right after the crash");
            long crashedAt = System.nanoTime();
            awaitStable(group, ledger, live);
            long removedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);
            assertTrue(removedAfterMs >= 4000, "crashed member removed after " + removedAfterMs + " ms, before its 6 s session ended");
            awaitProcessed(ledger, producer.ackedSoFar());

            for (String name : List.of("m4", "m5")) {
                live.add(GroupMember.start(name, broker.bootstrap(), topic, config, ledger));
            }
            awaitStable(group, ledger, live);

            Set<String> produced = producer.stopAndFlush();
            awaitProcessed(ledger, produced);
            assertEquals(List.of(), ledger.violations(), "ownership overlaps and committed records processed again");
            assertEquals(produced, Set.copyOf(ledger.processedIds()), "processed records are exactly the produced ones");
            awaitCommittedAtLogEnd(group, topic);
            System.out.printf("rebalance test with %s: %d records, %d processed again after an uncommitted first processing, "
                    + "failed commits %s%n", assignor.getSimpleName(), produced.size(), ledger.reprocessed().size(),
                    failedCommits(live, leaving, crashing));
        } finally {
            for (GroupMember m : live) {
                m.close();
            }
        }
    }

    @Test
    void cooperativeStickyMembersOnlyGiveUpThePartitionsThatMoveToTheNewMember() throws Exception {
        String topic = "cooperative";
        String group = "g-cooperative";
        createTopic(topic);
        GroupLedger ledger = new GroupLedger();
        Map<String, Object> config = new HashMap<>(memberConfig(group));
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        List<GroupMember> live = new ArrayList<>();
        try {
            for (String name : List.of("c1", "c2", "c3")) {
                live.add(GroupMember.start(name, broker.bootstrap(), topic, config, ledger));
            }
            awaitStable(group, ledger, live);
            assertEquals("cooperative-sticky", describe(group).partitionAssignor());
            Map<GroupMember, Set<TopicPartition>> before = new HashMap<>();
            Map<GroupMember, Integer> callbacksBefore = new HashMap<>();
            for (GroupMember m : live) {
                before.put(m, m.owned());
                callbacksBefore.put(m, m.callbacks().size());
            }

            GroupMember newcomer = GroupMember.start("c4", broker.bootstrap(), topic, config, ledger);
            live.add(newcomer);
            awaitStable(group, ledger, live);

            Set<TopicPartition> allRevoked = new HashSet<>();
            for (GroupMember m : before.keySet()) {
                List<GroupMember.Callback> since = m.callbacks().subList(callbacksBefore.get(m), m.callbacks().size());
                Set<TopicPartition> revoked = new HashSet<>();
                for (GroupMember.Callback c : since) {
                    assertNotEquals("lost", c.kind(), m + " lost partitions: " + since);
                    if (c.kind().equals("revoked")) {
                        assertTrue(!c.partitions().isEmpty() && !c.partitions().equals(before.get(m)),
                                m + " had everything revoked, eagerly: " + since);
                        revoked.addAll(c.partitions());
                    } else {
                        assertTrue(before.get(m).containsAll(c.partitions()), m + " was given new partitions: " + since);
                    }
                }
                Set<TopicPartition> kept = new HashSet<>(before.get(m));
                kept.removeAll(revoked);
                assertEquals(kept, m.owned(), m + " keeps what was not revoked");
                allRevoked.addAll(revoked);
            }
            assertEquals(allRevoked, newcomer.owned(), "the newcomer gets exactly the partitions the others gave up");
            assertTrue(newcomer.owned().size() == 1 || newcomer.owned().size() == 2, "newcomer's share: " + newcomer);
            assertEquals(List.of(), ledger.violations());
        } finally {
            for (GroupMember m : live) {
                m.close();
            }
        }
    }

    @Test
    void staticMemberRestartingWithinItsSessionGetsItsPartitionsBackWithoutRebalancingTheOthers() throws Exception {
        String topic = "static";
        String group = "g-static";
        createTopic(topic);
        GroupLedger ledger = new GroupLedger();
        List<GroupMember> live = new ArrayList<>();
        try {
            for (String name : List.of("s1", "s2", "s3")) {
                live.add(GroupMember.start(name, broker.bootstrap(), topic, staticConfig(group, name), ledger));
            }
            awaitStable(group, ledger, live);
            Map<String, String> instances = describe(group).members().stream()
                    .collect(Collectors.toMap(MemberDescription::consumerId, d -> d.groupInstanceId().orElse("-")));
            for (GroupMember m : live) {
                assertEquals(m.name(), instances.get(m.memberId()), "group.instance.id of " + m);
            }
            // restart each member in turn, so the group leader is restarted too (KIP-814: it must not reassign)
            for (int i = 0; i < live.size(); i++) {
                GroupMember before = live.get(i);
                Map<GroupMember, Integer> othersCallbacks = new HashMap<>();
                live.stream().filter(m -> m != before).forEach(m -> othersCallbacks.put(m, m.callbacks().size()));
                Set<TopicPartition> owned = before.owned();

                before.stop(GroupMember.Stop.CLOSE); // a static member sends no LeaveGroup on close
                GroupMember restarted = GroupMember.start(before.name(), broker.bootstrap(), topic,
                        staticConfig(group, before.name()), ledger);
                live.set(i, restarted);
                awaitStable(group, ledger, live);
                assertEquals(owned, restarted.owned(), "the restarted static member gets its partitions back");
                assertEquals(before.generation(), restarted.generation(), "no new generation");
                assertNotEquals(before.memberId(), restarted.memberId(), "the restarted member has a new member id");

                // the others must not see a rebalance: watch for more than two heartbeat intervals
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
                while (System.nanoTime() < end) {
                    othersCallbacks.forEach((m, n) -> assertEquals(n, m.callbacks().size(), m.name() + " rebalanced: "
                            + m.callbacks() + " when " + before.name() + " restarted"));
                    LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                }
            }
            assertEquals(GroupState.STABLE, describe(group).groupState());
            assertEquals(List.of(), ledger.violations());
        } finally {
            for (GroupMember m : live) {
                m.close();
            }
        }
    }

    private static Map<String, Integer> failedCommits(List<GroupMember> live, GroupMember... gone) {
        Map<String, Integer> all = new TreeMap<>();
        List<GroupMember> members = new ArrayList<>(live);
        members.addAll(List.of(gone));
        members.forEach(m -> m.failedCommits().forEach((k, v) -> all.merge(k, v, Integer::sum)));
        return all;
    }

    private static Map<String, Object> memberConfig(String group) {
        return Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    }

    private static Map<String, Object> staticConfig(String group, String instanceId) {
        Map<String, Object> config = new HashMap<>(memberConfig(group));
        config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 15000);
        return config;
    }

    private static void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    private static ConsumerGroupDescription describe(String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
    }

    /**
     * Waits until the live members own disjoint, non-empty sets of partitions covering the topic, and the
     * coordinator reports a stable group of exactly these members with exactly these assignments.
     */
    private static void awaitStable(String group, GroupLedger ledger, List<GroupMember> live) {
        Await.until(Duration.ofSeconds(45), "group " + group + " is stable with " + live, () -> {
            live.forEach(GroupMember::assertHealthy);
            Map<TopicPartition, String> owners = new HashMap<>();
            for (GroupMember m : live) {
                if (m.owned().isEmpty()) {
                    return false;
                }
                for (TopicPartition tp : m.owned()) {
                    if (owners.put(tp, m.name()) != null) {
                        return false;
                    }
                }
            }
            if (owners.size() != PARTITIONS || !owners.equals(ledger.owners())) {
                return false;
            }
            try {
                ConsumerGroupDescription d = describe(group);
                Map<String, Set<TopicPartition>> assigned = new HashMap<>();
                d.members().forEach(md -> assigned.put(md.consumerId(), md.assignment().topicPartitions()));
                Map<String, Set<TopicPartition>> expected = new HashMap<>();
                live.forEach(m -> expected.put(m.memberId(), m.owned()));
                return d.groupState() == GroupState.STABLE && assigned.equals(expected);
            } catch (Exception e) {
                return false;
            }
        }, () -> {
            try {
                return "members: " + live + "\nledger owners: " + ledger.owners() + "\ncoordinator: " + describe(group);
            } catch (Exception e) {
                return "members: " + live + "\nledger owners: " + ledger.owners() + "\ncoordinator: " + e;
            }
        });
    }

    private static void awaitProcessed(GroupLedger ledger, Set<String> records) {
        Await.until(Duration.ofSeconds(60), records.size() + " records are processed",
                () -> ledger.processedIds().containsAll(records),
                () -> "missing: " + records.stream().filter(r -> !ledger.processedIds().contains(r)).limit(20).toList());
    }

    private static void awaitCommittedAtLogEnd(String group, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        IntStream.range(0, PARTITIONS).forEach(p -> latest.put(new TopicPartition(topic, p), OffsetSpec.latest()));
        Map<TopicPartition, Long> logEnd = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> logEnd.put(tp, info.offset()));
        Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
        Await.until(Duration.ofSeconds(30), "the group committed every partition's log end offset", () -> {
            try {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                committed.clear();
                offsets.forEach((tp, om) -> committed.put(tp, om.offset()));
                return committed.equals(logEnd);
            } catch (Exception e) {
                return false;
            }
        }, () -> "log end " + logEnd + "\ncommitted " + committed);
    }

    /** Produces uniquely valued keyed records on its own thread, about 500 a second, until stopped. */
    private static final class KeyedProducer implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of());
        private final Set<String> acked = ConcurrentHashMap.newKeySet();
        private final AtomicInteger failed = new AtomicInteger();
        private final Thread thread;
        private volatile boolean running = true;

        KeyedProducer(String topic) {
            thread = new Thread(() -> {
                for (int i = 0; running; i++) {
                    String value = topic + "-" + i;
                    producer.send(new ProducerRecord<>(topic, ("k" + i % 100).getBytes(StandardCharsets.UTF_8),
                            value.getBytes(StandardCharsets.UTF_8)), (md, e) -> {
                        if (e == null) {
                            acked.add(value);
                        } else {
                            failed.incrementAndGet();
                        }
                    });
                    LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
                }
            }, "keyed-producer");
            thread.setDaemon(true);
            thread.start();
        }

        Set<String> ackedSoFar() {
            return Set.copyOf(acked);
        }

        /** Stops sending and returns every acknowledged value; fails if any send failed. */
        Set<String> stopAndFlush() throws InterruptedException {
            running = false;
            thread.join(10_000);
            producer.flush();
            assertEquals(0, failed.get(), "failed sends");
            return Set.copyOf(acked);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
            producer.close(Duration.ofSeconds(10));
        }
    }
}
