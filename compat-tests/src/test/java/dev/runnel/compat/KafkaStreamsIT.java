package dev.runnel.compat;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Kafka Streams (same version as kafka-clients) running a word count with a repartition topic and a changelogged
 * state store, at_least_once and exactly_once_v2 (transactions: the output, read with read_committed, holds every
 * count update exactly once).
 */
@ExtendWith(CompatMatrix.class)
class KafkaStreamsIT {
    static final String CLIENT = "Kafka Streams";
    private static final List<String> LINES = List.of("the quick brown fox", "jumps over the lazy dog",
            "The dog barks", "the fox runs", "quick quick quick");

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    static CompatTarget target;
    static Oracle oracle;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void start() throws Exception {
        target = CompatTarget.start();
        oracle = new Oracle(target.bootstrap());
        CompatMatrix.version(CLIENT, "kafka-streams " + AppInfoParser.getVersion());
    }

    @AfterAll
    static void stop() throws Exception {
        target.close();
    }

    @Test
    @Scenario(client = CLIENT, value = "word count, at_least_once")
    void wordCountAtLeastOnceProducesCorrectCounts() throws Exception {
        String input = CompatTarget.name("streams-alo-in");
        String output = CompatTarget.name("streams-alo-out");
        oracle.createTopic(input, 2);
        oracle.createTopic(output, 2);
        writeLines(input);
        Map<String, Long> expected = expectedCounts();
        CompletableFuture<Throwable> died = new CompletableFuture<>();
        KafkaStreams streams = wordCount(input, output, StreamsConfig.AT_LEAST_ONCE, died);
        try {
            streams.start();
            Map<String, Long> counts = latestCounts(output, expected, Duration.ofSeconds(90), died);
            assertEquals(expected, counts);
            assertEquals(KafkaStreams.State.RUNNING, streams.state());
        } finally {
            streams.close(CLOSE_TIMEOUT);
        }
    }

    @Test
    @Scenario(client = CLIENT, value = "word count, exactly_once_v2")
    void wordCountExactlyOnceV2ProducesEachCountExactlyOnce() throws Exception {
        String input = CompatTarget.name("streams-eos-in");
        String output = CompatTarget.name("streams-eos-out");
        oracle.createTopic(input, 2);
        oracle.createTopic(output, 2);
        writeLines(input);
        warmUpTransactionCoordinator();
        Map<String, Long> expected = expectedCounts();
        CompletableFuture<Throwable> died = new CompletableFuture<>();
        KafkaStreams streams = wordCount(input, output, StreamsConfig.EXACTLY_ONCE_V2, died);
        try {
            streams.start();
            Map<String, List<Long>> updates = new TreeMap<>();
            Map<String, Long> counts = latestCounts(output, expected, Duration.ofSeconds(90), died,
                    Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), updates);
            assertEquals(expected, counts);
            // no cache: every update is emitted once, so a word counted n times has exactly the updates 1..n
            expected.forEach((word, n) -> assertEquals(LongStream.rangeClosed(1, n).boxed().toList(), updates.get(word),
                    "updates of '" + word + "'"));
            assertEquals(KafkaStreams.State.RUNNING, streams.state());
        } finally {
            streams.close(CLOSE_TIMEOUT);
        }
    }

    /**
     * The first transactional producer on a broker waits for {@code __transaction_state} to be created; Streams gives
     * its producer only {@code max.block.ms} = 2 s for that, so one transactional producer starts first.
     */
    private static void warmUpTransactionCoordinator() {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(target.bootstrap(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, CompatTarget.name("streams-warm-up")))) {
            producer.initTransactions();
        }
    }

    private static Map<String, Long> expectedCounts() {
        Map<String, Long> counts = new TreeMap<>();
        LINES.forEach(line -> Arrays.stream(line.toLowerCase(Locale.ROOT).split(" ")).forEach(w -> counts.merge(w, 1L, Long::sum)));
        return counts;
    }

    private KafkaStreams wordCount(String input, String output, String guarantee, CompletableFuture<Throwable> died) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split(" ")))
                .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count()
                .toStream()
                .to(output, Produced.with(Serdes.String(), Serdes.Long()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, CompatTarget.name("wordcount-" + guarantee));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrap());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.TASK_TIMEOUT_MS_CONFIG, 0);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_BLOCK_MS_CONFIG), 2_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.setUncaughtExceptionHandler(e -> {
            died.complete(e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        return streams;
    }

    private static void writeLines(String topic) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(target.bootstrap(), Map.of())) {
            for (int i = 0; i < LINES.size(); i++) {
                producer.send(new ProducerRecord<>(topic, ("line-" + i).getBytes(StandardCharsets.UTF_8),
                        LINES.get(i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Reads the output topic until the latest count per word equals {@code expected} or the wait ends. */
    private static Map<String, Long> latestCounts(String output, Map<String, Long> expected, Duration wait,
                                                  CompletableFuture<Throwable> died) {
        return latestCounts(output, expected, wait, died, Map.of(), new TreeMap<>());
    }

    /** {@link #latestCounts} with extra consumer settings, collecting every update per word in {@code updates}. */
    private static Map<String, Long> latestCounts(String output, Map<String, Long> expected, Duration wait,
                                                  CompletableFuture<Throwable> died, Map<String, Object> consumerConfig,
                                                  Map<String, List<Long>> updates) {
        Map<String, Long> latest = new TreeMap<>();
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrap());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new LongDeserializer())) {
            List<TopicPartition> tps = IntStream.range(0, consumer.partitionsFor(output).size())
                    .mapToObj(p -> new TopicPartition(output, p)).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + wait.toNanos();
            while (!latest.equals(expected) && System.nanoTime() < deadline) {
                if (died.isDone()) {
                    throw new AssertionError("Streams application died: " + chain(died.join()));
                }
                for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(200))) {
                    latest.put(r.key(), r.value());
                    updates.computeIfAbsent(r.key(), k -> new java.util.ArrayList<>()).add(r.value());
                }
            }
        }
        return latest;
    }

    private static String chain(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" <- ");
        }
        return out.toString();
    }
}
