package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kafka-clients 4.3 transactions against the broker: commits and aborts interleaved, read_committed and
 * read_uncommitted consumers, offsets sent to a transaction, a zombie producer fenced, and a broker restart in the
 * middle of a transaction.
 */
class TransactionsIT {
    @TempDir
    Path dataDir;
    RunningBroker broker;
    int port;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private void start() throws Exception {
        start(Map.of());
    }

    private void start(Map<String, String> overrides) throws Exception {
        if (port == 0) {
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort(); // a fixed port, so clients find the broker again after a restart
            }
        }
        Map<String, String> config = new java.util.HashMap<>(overrides);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        broker = RunningBroker.start(dataDir, config);
    }

    private void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private KafkaProducer<byte[], byte[]> transactional(String id) {
        KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 20_000));
        producer.initTransactions();
        return producer;
    }

    private List<String> read(String topic, int partitions, String isolation, int atLeast, Duration quiet) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(broker.bootstrap(),
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation))) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < deadline && System.nanoTime() < quietUntil) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                if (values.size() >= atLeast && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + quiet.toNanos(); // then make sure nothing else arrives
                }
            }
            values.sort(null);
            return values;
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String value) {
        return new ProducerRecord<>(topic, partition, null, value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readCommittedSeesCommittedRecordsOnlyAndReadUncommittedSeesAll() throws Exception {
        start();
        createTopic("txn-mixed", 2);
        List<String> committed = new ArrayList<>();
        List<String> all = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = transactional("mixed")) {
            for (int txn = 0; txn < 10; txn++) {
                producer.beginTransaction();
                for (int i = 0; i < 5; i++) {
                    String value = "t" + txn + "-" + i;
                    producer.send(record("txn-mixed", i % 2, value));
                    all.add(value);
                    if (txn % 3 != 1) {
                        committed.add(value);
                    }
                }
                if (txn % 3 == 1) {
                    producer.flush(); // the aborted records reach the log (an abort drops unsent ones)
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                }
            }
        }
        committed.sort(null);
        all.sort(null);
        assertEquals(committed, read("txn-mixed", 2, "read_committed", committed.size(), Duration.ofSeconds(1)));
        assertEquals(all, read("txn-mixed", 2, "read_uncommitted", all.size(), Duration.ofSeconds(1)));
    }

    @Test
    void readCommittedWaitsForTheMarkerWhileReadUncommittedDoesNot() throws Exception {
        start();
        createTopic("txn-open", 1);
        try (KafkaProducer<byte[], byte[]> producer = transactional("open");
             KafkaProducer<byte[], byte[]> plain = Clients.producer(broker.bootstrap(), Map.of())) {
            producer.beginTransaction();
            producer.send(record("txn-open", 0, "pending")).get(30, TimeUnit.SECONDS);
            plain.send(record("txn-open", 0, "plain-after")).get(30, TimeUnit.SECONDS);
            assertEquals(List.of("pending", "plain-after"), read("txn-open", 1, "read_uncommitted", 2, Duration.ofMillis(300)));
            assertEquals(List.of(), read("txn-open", 1, "read_committed", 0, Duration.ofSeconds(1)),
                    "the open transaction holds back even later non-transactional records (LSO)");
            producer.commitTransaction();
            assertEquals(List.of("pending", "plain-after"), read("txn-open", 1, "read_committed", 2, Duration.ofMillis(300)));
        }
    }

    @Test
    void aZombieProducerIsFencedByANewInstanceWithTheSameTransactionalId() throws Exception {
        start();
        createTopic("txn-zombie", 1);
        KafkaProducer<byte[], byte[]> zombie = transactional("zombie");
        try {
            zombie.beginTransaction();
            zombie.send(record("txn-zombie", 0, "from-zombie")).get(30, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> fresh = transactional("zombie")) { // aborts the zombie's transaction
                fresh.beginTransaction();
                fresh.send(record("txn-zombie", 0, "from-fresh"));
                fresh.commitTransaction();
                Exception fenced = assertThrows(Exception.class, () -> {
                    zombie.send(record("txn-zombie", 0, "late")).get(30, TimeUnit.SECONDS);
                    zombie.commitTransaction();
                });
                assertTrue(chain(fenced).contains("ProducerFenced") || chain(fenced).contains("InvalidProducerEpoch"), chain(fenced));
            }
        } finally {
            zombie.close(Duration.ZERO);
        }
        assertEquals(List.of("from-fresh"), read("txn-zombie", 1, "read_committed", 1, Duration.ofSeconds(1)));
    }

    @Test
    void theCoordinatorAbortsATransactionPastItsTimeoutAndFencesItsProducer() throws Exception {
        start(Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200"));
        createTopic("txn-timeout", 1);
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "timeout", ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1_000));
             KafkaProducer<byte[], byte[]> plain = Clients.producer(broker.bootstrap(), Map.of())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(record("txn-timeout", 0, "abandoned")).get(30, TimeUnit.SECONDS);
            plain.send(record("txn-timeout", 0, "plain")).get(30, TimeUnit.SECONDS);
            // held back by the open transaction until the coordinator aborts it (1 s timeout, 200 ms checks)
            assertEquals(List.of("plain"), read("txn-timeout", 1, "read_committed", 1, Duration.ofMillis(300)));
            Exception fenced = assertThrows(Exception.class, producer::commitTransaction);
            assertTrue(chain(fenced).contains("Fenced") || chain(fenced).contains("InvalidProducerEpoch"), chain(fenced));
        }
    }

    @Test
    void offsetsSentToATransactionBecomeVisibleOnlyOnCommit() throws Exception {
        start();
        createTopic("txn-offsets", 1);
        TopicPartition tp = new TopicPartition("txn-offsets", 0);
        try (KafkaProducer<byte[], byte[]> producer = transactional("offsets");
             Admin admin = Clients.admin(broker.bootstrap())) {
            producer.beginTransaction();
            producer.send(record("txn-offsets", 0, "x"));
            producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(42)), new ConsumerGroupMetadata("eos-group"));
            assertEquals(Map.of(), committed(admin, "eos-group"), "pending until the commit");
            producer.commitTransaction();
            assertEquals(Map.of(tp, 42L), committed(admin, "eos-group"));

            producer.beginTransaction();
            producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(99)), new ConsumerGroupMetadata("eos-group"));
            producer.abortTransaction();
            assertEquals(Map.of(tp, 42L), committed(admin, "eos-group"), "an abort drops the offsets");
        }
    }

    @Test
    void adminListsAndDescribesTransactions() throws Exception {
        start();
        createTopic("txn-admin", 2);
        try (KafkaProducer<byte[], byte[]> producer = transactional("admin-txn");
             Admin admin = Clients.admin(broker.bootstrap())) {
            producer.beginTransaction();
            producer.send(record("txn-admin", 1, "v")).get(30, TimeUnit.SECONDS);
            List<TransactionListing> listed = new ArrayList<>(admin.listTransactions().all().get(30, TimeUnit.SECONDS));
            assertEquals(1, listed.size(), listed.toString());
            assertEquals("admin-txn", listed.get(0).transactionalId());
            assertEquals(TransactionState.ONGOING, listed.get(0).state());
            TransactionDescription described = admin.describeTransactions(List.of("admin-txn")).all()
                    .get(30, TimeUnit.SECONDS).get("admin-txn");
            assertEquals(TransactionState.ONGOING, described.state());
            assertEquals(Set.of(new TopicPartition("txn-admin", 1)), described.topicPartitions());
            assertEquals(20_000, described.transactionTimeoutMs());
            assertTrue(described.transactionStartTimeMs().isPresent());
            producer.commitTransaction();
            assertEquals(List.of(), new ArrayList<>(admin.listTransactions(new ListTransactionsOptions()
                    .filterStates(List.of(TransactionState.ONGOING))).all().get(30, TimeUnit.SECONDS)));
            assertEquals(TransactionState.COMPLETE_COMMIT, admin.describeTransactions(List.of("admin-txn")).all()
                    .get(30, TimeUnit.SECONDS).get("admin-txn").state());
        }
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> offsets = new java.util.HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .forEach((tp, o) -> {
                    if (o != null) {
                        offsets.put(tp, o.offset());
                    }
                });
        return offsets;
    }

    @Test
    void offsetsPendingInATransactionSurviveABrokerRestart() throws Exception {
        start();
        createTopic("txn-offsets-restart", 1);
        TopicPartition tp = new TopicPartition("txn-offsets-restart", 0);
        try (KafkaProducer<byte[], byte[]> producer = transactional("offsets-restart")) {
            producer.beginTransaction();
            producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(7)), new ConsumerGroupMetadata("restart-group"));
            broker.close();
            start();
            try (Admin admin = Clients.admin(broker.bootstrap())) {
                assertEquals(Map.of(), committed(admin, "restart-group"), "still pending after the restart");
                producer.commitTransaction();
                assertEquals(Map.of(tp, 7L), committed(admin, "restart-group"));
            }
        }
        broker.close();
        start();
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            assertEquals(Map.of(tp, 7L), committed(admin, "restart-group"), "committed by the replayed marker");
        }
    }

    @Test
    void anOpenTransactionSurvivesABrokerRestartAndCommits() throws Exception {
        start();
        createTopic("txn-restart", 1);
        try (KafkaProducer<byte[], byte[]> producer = transactional("restart")) {
            producer.beginTransaction();
            producer.send(record("txn-restart", 0, "before")).get(30, TimeUnit.SECONDS);
            broker.close();
            start();
            producer.send(record("txn-restart", 0, "after")).get(60, TimeUnit.SECONDS);
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(record("txn-restart", 0, "aborted")).get(60, TimeUnit.SECONDS);
            producer.abortTransaction();
        }
        broker.close();
        start();
        assertEquals(List.of("after", "before"), read("txn-restart", 1, "read_committed", 2, Duration.ofSeconds(1)));
        assertEquals(List.of("aborted", "after", "before"), read("txn-restart", 1, "read_uncommitted", 3, Duration.ofMillis(300)));
    }

    private static String chain(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" / ");
        }
        return s.toString();
    }
}
