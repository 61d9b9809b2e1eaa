package dev.runnel.server.config;

import dev.runnel.server.config.ConfigKey.Update;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.runnel.server.config.ConfigKey.Update.CLUSTER_WIDE;
import static dev.runnel.server.config.ConfigKey.Update.PER_BROKER;
import static dev.runnel.server.config.ConfigKey.Update.READ_ONLY;
import static dev.runnel.server.config.ConfigType.BOOLEAN;
import static dev.runnel.server.config.ConfigType.CLASS;
import static dev.runnel.server.config.ConfigType.DOUBLE;
import static dev.runnel.server.config.ConfigType.INT;
import static dev.runnel.server.config.ConfigType.LIST;
import static dev.runnel.server.config.ConfigType.LONG;
import static dev.runnel.server.config.ConfigType.PASSWORD;
import static dev.runnel.server.config.ConfigType.SHORT;
import static dev.runnel.server.config.ConfigType.STRING;
import static dev.runnel.server.config.ConfigValidator.atLeast;
import static dev.runnel.server.config.ConfigValidator.between;
import static dev.runnel.server.config.ConfigValidator.eachOneOf;
import static dev.runnel.server.config.ConfigValidator.endpoints;
import static dev.runnel.server.config.ConfigValidator.nonEmptyList;
import static dev.runnel.server.config.ConfigValidator.oneOf;

/**
 * The one table of broker configuration keys, with Kafka's names, types, defaults, validators and update modes
 * (Kafka 4.x where it differs from 3.x, plus the ZooKeeper-era keys Runnel's cluster mode uses).
 *
 * <p>Defaults are Kafka's except where a broker started with no server.properties must work on its own
 * ("zero-config"); each such difference is marked {@code RUNNEL DEFAULT} with Kafka's value. They are the
 * values Kafka's own sample server.properties sets for a single broker.
 */
public final class BrokerConfigKeys {
    public static final String NODE_ID = "node.id";
    public static final String BROKER_ID = "broker.id";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    public static final String LOG_ROLL_JITTER_MS = "log.roll.jitter.ms";
    public static final String LOG_ROLL_JITTER_HOURS = "log.roll.jitter.hours";
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String SOCKET_SEND_BUFFER_BYTES = "socket.send.buffer.bytes";
    public static final String SOCKET_RECEIVE_BUFFER_BYTES = "socket.receive.buffer.bytes";
    public static final String SOCKET_LISTEN_BACKLOG_SIZE = "socket.listen.backlog.size";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String MAX_CONNECTIONS = "max.connections";
    public static final String MAX_CONNECTIONS_PER_IP = "max.connections.per.ip";
    public static final String MAX_CONNECTIONS_PER_IP_OVERRIDES = "max.connections.per.ip.overrides";
    public static final String QUEUED_MAX_REQUESTS = "queued.max.requests";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";

    private static final String[] SECURITY_PROTOCOLS = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"};
    private static final List<String> RETENTION_GROUP = List.of(LOG_RETENTION_MS, LOG_RETENTION_MINUTES, LOG_RETENTION_HOURS);
    private static final List<String> ROLL_GROUP = List.of(LOG_ROLL_MS, LOG_ROLL_HOURS);
    private static final List<String> JITTER_GROUP = List.of(LOG_ROLL_JITTER_MS, LOG_ROLL_JITTER_HOURS);
    private static final List<String> FLUSH_GROUP = List.of(LOG_FLUSH_INTERVAL_MS, LOG_FLUSH_SCHEDULER_INTERVAL_MS);

    /** Prefixes of keys Kafka accepts beyond its table (per-listener overrides); not warned about. */
    static final Set<String> KNOWN_PREFIXES = Set.of("listener.name.");

    private static final Map<String, ConfigKey> KEYS = new LinkedHashMap<>();

    static {
        // Identity and cluster membership
        // RUNNEL DEFAULT 0 for both ids (Kafka: node.id is required, broker.id -1 = generated). Either may be
        // set; as in Kafka, one set is copied to the other and different values are an error.
        add(NODE_ID, INT, 0, atLeast(0), READ_ONLY, "The id of this broker in the cluster.");
        add(BROKER_ID, INT, 0, atLeast(0), READ_ONLY, "Synonym of node.id.");
        add("broker.rack", STRING, null, null, READ_ONLY, "The rack of this broker, for rack-aware replica placement.");
        add(ZOOKEEPER_CONNECT, STRING, null, null, READ_ONLY,
                "ZooKeeper connection string host:port[,host:port][/chroot]; unset runs a single broker with local metadata.");
        add("zookeeper.session.timeout.ms", INT, 18000, null, READ_ONLY, "ZooKeeper session timeout.");
        add("zookeeper.connection.timeout.ms", INT, null, null, READ_ONLY,
                "Maximum time to wait for a ZooKeeper connection; unset uses zookeeper.session.timeout.ms.");
        add("zookeeper.max.in.flight.requests", INT, 10, atLeast(1), READ_ONLY, "Maximum unacknowledged ZooKeeper requests.");
        add("controlled.shutdown.enable", BOOLEAN, true, null, READ_ONLY, "Move leadership away before shutting down.");
        add("controlled.shutdown.max.retries", INT, 3, null, READ_ONLY, "Attempts of a controlled shutdown.");
        add("controlled.shutdown.retry.backoff.ms", LONG, 5000L, null, READ_ONLY, "Wait between controlled shutdown attempts.");
        add("auto.leader.rebalance.enable", BOOLEAN, true, null, READ_ONLY, "Move leadership back to preferred replicas.");
        add("unclean.leader.election.enable", BOOLEAN, false, null, CLUSTER_WIDE,
                "Allow a replica outside the ISR to become leader, at the cost of data loss.");

        // Network
        // RUNNEL DEFAULT localhost (Kafka: PLAINTEXT://:9092, every interface) so zero-config stays local.
        add(LISTENERS, LIST, "PLAINTEXT://localhost:9092", listenersValidator(), PER_BROKER,
                "Comma-separated NAME://host:port addresses the broker listens on; empty host = every interface.");
        add(ADVERTISED_LISTENERS, LIST, null, endpoints(), PER_BROKER,
                "Addresses published to clients, when different from listeners.");
        add(LISTENER_SECURITY_PROTOCOL_MAP, STRING,
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
                protocolMapValidator(), PER_BROKER, "Security protocol of each listener name, as NAME:PROTOCOL pairs.");
        add("inter.broker.listener.name", STRING, null, null, READ_ONLY, "Listener used between brokers.");
        add("security.inter.broker.protocol", STRING, "PLAINTEXT", oneOf(SECURITY_PROTOCOLS), READ_ONLY,
                "Security protocol between brokers when inter.broker.listener.name is unset.");
        add(NUM_NETWORK_THREADS, INT, 3, atLeast(1), CLUSTER_WIDE, "Threads doing socket I/O (Netty event loops).");
        add("num.io.threads", INT, 8, atLeast(1), CLUSTER_WIDE, "Threads processing requests.");
        add("background.threads", INT, 10, atLeast(1), CLUSTER_WIDE, "Threads for background tasks.");
        add("queued.max.requests", INT, 500, atLeast(1), READ_ONLY, "Requests queued before network threads stop reading.");
        add("queued.max.request.bytes", LONG, -1L, null, READ_ONLY, "Request bytes queued before reads stop; -1 = no limit.");
        add(SOCKET_SEND_BUFFER_BYTES, INT, 102400, null, READ_ONLY, "SO_SNDBUF of sockets; -1 = the OS default.");
        add(SOCKET_RECEIVE_BUFFER_BYTES, INT, 102400, null, READ_ONLY, "SO_RCVBUF of sockets; -1 = the OS default.");
        add(SOCKET_REQUEST_MAX_BYTES, INT, 104857600, atLeast(1), READ_ONLY, "Largest request accepted, in bytes.");
        add(SOCKET_LISTEN_BACKLOG_SIZE, INT, 50, atLeast(1), READ_ONLY, "Pending connections queued per listener.");
        add(CONNECTIONS_MAX_IDLE_MS, LONG, 600000L, null, READ_ONLY, "Idle connections are closed after this many ms.");
        add(MAX_CONNECTIONS, INT, Integer.MAX_VALUE, atLeast(0), CLUSTER_WIDE, "Maximum connections to the broker.");
        // 0 is valid only with overrides (checked across keys by BrokerConfig)
        add(MAX_CONNECTIONS_PER_IP, INT, Integer.MAX_VALUE, atLeast(0), CLUSTER_WIDE,
                "Maximum connections from one address; over it, a new connection is closed at once.");
        add(MAX_CONNECTIONS_PER_IP_OVERRIDES, STRING, "",
                (key, value) -> ConnectionsPerIpOverrides.parse((String) value), CLUSTER_WIDE,
                "Per-address limits as comma-separated host:count pairs; host names are resolved.");
        add("connection.failed.authentication.delay.ms", INT, 100, atLeast(0), READ_ONLY, "Delay before closing after failed authentication.");

        // Security
        add("sasl.enabled.mechanisms", LIST, "GSSAPI", null, PER_BROKER, "SASL mechanisms enabled on the broker.");
        add("sasl.mechanism.inter.broker.protocol", STRING, "GSSAPI", null, PER_BROKER, "SASL mechanism between brokers.");
        add("sasl.jaas.config", PASSWORD, null, null, PER_BROKER, "JAAS login context for SASL connections.");
        add("ssl.keystore.type", STRING, "JKS", null, PER_BROKER, "File format of the key store.");
        add("ssl.keystore.location", STRING, null, null, PER_BROKER, "Location of the key store file.");
        add("ssl.keystore.password", PASSWORD, null, null, PER_BROKER, "Password of the key store file.");
        add("ssl.key.password", PASSWORD, null, null, PER_BROKER, "Password of the private key.");
        add("ssl.truststore.type", STRING, "JKS", null, PER_BROKER, "File format of the trust store.");
        add("ssl.truststore.location", STRING, null, null, PER_BROKER, "Location of the trust store file.");
        add("ssl.truststore.password", PASSWORD, null, null, PER_BROKER, "Password of the trust store file.");
        add("ssl.client.auth", STRING, "none", oneOf("required", "requested", "none"), PER_BROKER, "Client authentication for SSL.");
        add("authorizer.class.name", STRING, "", null, READ_ONLY, "Authorizer class; empty = no authorization.");
        add("super.users", STRING, null, null, READ_ONLY, "Principals allowed everything, separated by semicolons.");

        // Topics and requests
        add("num.partitions", INT, 1, atLeast(1), READ_ONLY, "Partitions of an automatically created topic.");
        add("default.replication.factor", INT, 1, null, READ_ONLY, "Replication factor of an automatically created topic.");
        add("auto.create.topics.enable", BOOLEAN, true, null, READ_ONLY, "Create a topic when a client asks for an unknown one.");
        add("delete.topic.enable", BOOLEAN, true, null, READ_ONLY, "Allow DeleteTopics; when false, topics cannot be deleted.");
        add(MESSAGE_MAX_BYTES, INT, 1048588, atLeast(0), CLUSTER_WIDE, "Largest record batch accepted, in bytes.");
        add("fetch.max.bytes", INT, 57671680, atLeast(1024), READ_ONLY, "Most bytes returned by one fetch.");
        add("max.request.partition.size.limit", INT, 2000, atLeast(1), READ_ONLY, "Most partitions one DescribeTopicPartitions response lists.");
        add("max.incremental.fetch.session.cache.slots", INT, 1000, atLeast(0), READ_ONLY, "Incremental fetch sessions kept.");
        add("compression.type", STRING, "producer", oneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
                CLUSTER_WIDE, "Compression of stored batches; producer = as the producer sent them.");
        add("min.insync.replicas", INT, 1, atLeast(1), CLUSTER_WIDE, "In-sync replicas needed for an acks=all write.");
        add("fetch.purgatory.purge.interval.requests", INT, 1000, null, READ_ONLY, "Purge interval of the fetch purgatory.");
        add("producer.purgatory.purge.interval.requests", INT, 1000, null, READ_ONLY, "Purge interval of the produce purgatory.");
        add("delete.records.purgatory.purge.interval.requests", INT, 1, null, READ_ONLY, "Purge interval of the delete-records purgatory.");

        // Log storage
        // RUNNEL DEFAULT ./data (Kafka: /tmp/kafka-logs) so zero-config data survives reboots and stays visible.
        add(LOG_DIR, LIST, "./data", nonEmptyList(), READ_ONLY, "Data directory, used when log.dirs is unset.");
        add(LOG_DIRS, LIST, null, nonEmptyList(), READ_ONLY, "Comma-separated data directories; overrides log.dir.");
        add("num.recovery.threads.per.data.dir", INT, 2, atLeast(1), CLUSTER_WIDE, "Threads per data dir for recovery and shutdown flush.");
        add("log.segment.bytes", INT, 1073741824, atLeast(1024 * 1024), CLUSTER_WIDE, "Largest size of a segment file.");
        add(LOG_ROLL_MS, LONG, null, null, CLUSTER_WIDE, ROLL_GROUP, "Longest age of a segment before a roll; unset uses log.roll.hours.");
        add(LOG_ROLL_HOURS, INT, 168, atLeast(1), READ_ONLY, ROLL_GROUP, "Longest age of a segment before a roll, in hours.");
        add(LOG_ROLL_JITTER_MS, LONG, null, null, CLUSTER_WIDE, JITTER_GROUP, "Random jitter subtracted from the roll time.");
        add(LOG_ROLL_JITTER_HOURS, INT, 0, atLeast(0), READ_ONLY, JITTER_GROUP, "Roll jitter in hours.");
        add(LOG_RETENTION_MS, LONG, null, null, CLUSTER_WIDE, RETENTION_GROUP,
                "How long segments are kept; -1 = forever; unset uses log.retention.minutes.");
        add(LOG_RETENTION_MINUTES, INT, null, null, READ_ONLY, RETENTION_GROUP,
                "How long segments are kept, in minutes; unset uses log.retention.hours.");
        add(LOG_RETENTION_HOURS, INT, 168, null, READ_ONLY, RETENTION_GROUP, "How long segments are kept, in hours.");
        add("log.retention.bytes", LONG, -1L, null, CLUSTER_WIDE, "Largest size of a partition before old segments go; -1 = no limit.");
        add("log.retention.check.interval.ms", LONG, 300000L, atLeast(1), READ_ONLY, "How often retention runs.");
        add("log.cleanup.policy", LIST, "delete", eachOneOf("compact", "delete"), CLUSTER_WIDE, "delete, compact, or both.");
        add("log.index.size.max.bytes", INT, 10485760, atLeast(4), CLUSTER_WIDE, "Largest size of an offset index.");
        add("log.index.interval.bytes", INT, 4096, atLeast(0), CLUSTER_WIDE, "Bytes of log between offset index entries.");
        add("log.flush.interval.messages", LONG, Long.MAX_VALUE, atLeast(1), CLUSTER_WIDE, "Messages appended before a flush.");
        add(LOG_FLUSH_INTERVAL_MS, LONG, null, null, CLUSTER_WIDE, FLUSH_GROUP,
                "Longest time data waits for a flush; unset uses log.flush.scheduler.interval.ms.");
        add(LOG_FLUSH_SCHEDULER_INTERVAL_MS, LONG, Long.MAX_VALUE, null, READ_ONLY, FLUSH_GROUP, "How often the flusher checks logs.");
        add("log.flush.offset.checkpoint.interval.ms", INT, 60000, atLeast(0), READ_ONLY, "How often the recovery point is saved.");
        add("log.flush.start.offset.checkpoint.interval.ms", INT, 60000, atLeast(0), READ_ONLY, "How often log start offsets are saved.");
        add("log.segment.delete.delay.ms", LONG, 60000L, atLeast(0), CLUSTER_WIDE, "Wait before a deleted segment's files go.");
        add("log.preallocate", BOOLEAN, false, null, CLUSTER_WIDE, "Preallocate segment files.");
        add("log.message.timestamp.type", STRING, "CreateTime", oneOf("CreateTime", "LogAppendTime"), CLUSTER_WIDE,
                "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches on append.");
        add("log.message.timestamp.before.max.ms", LONG, Long.MAX_VALUE, atLeast(0), CLUSTER_WIDE,
                "How far in the past a CreateTime timestamp may be.");
        add("log.message.timestamp.after.max.ms", LONG, 3600000L, atLeast(0), CLUSTER_WIDE,
                "How far in the future a CreateTime timestamp may be.");
        add("log.cleaner.enable", BOOLEAN, true, null, READ_ONLY, "Run the log cleaner for compacted topics.");
        add("log.cleaner.threads", INT, 1, atLeast(0), CLUSTER_WIDE, "Log cleaner threads.");
        add("log.cleaner.dedupe.buffer.size", LONG, 134217728L, null, CLUSTER_WIDE, "Memory for deduplication across cleaner threads.");
        add("log.cleaner.io.buffer.size", INT, 524288, atLeast(0), CLUSTER_WIDE, "I/O buffer memory across cleaner threads.");
        add("log.cleaner.io.buffer.load.factor", DOUBLE, 0.9, null, CLUSTER_WIDE, "Load factor of the dedupe buffer.");
        add("log.cleaner.io.max.bytes.per.second", DOUBLE, Double.MAX_VALUE, null, CLUSTER_WIDE, "Cleaner I/O throttle.");
        add("log.cleaner.backoff.ms", LONG, 15000L, atLeast(0), CLUSTER_WIDE, "Sleep when there is nothing to clean.");
        add("log.cleaner.min.cleanable.ratio", DOUBLE, 0.5, between(0, 1), CLUSTER_WIDE, "Dirty ratio that triggers cleaning.");
        add("log.cleaner.delete.retention.ms", LONG, 86400000L, atLeast(0), CLUSTER_WIDE, "How long tombstones are kept.");
        add("log.cleaner.min.compaction.lag.ms", LONG, 0L, atLeast(0), CLUSTER_WIDE, "Youngest a record can be and be compacted.");
        add("log.cleaner.max.compaction.lag.ms", LONG, Long.MAX_VALUE, atLeast(1), CLUSTER_WIDE, "Oldest a record can stay uncompacted.");

        // Replication
        add("num.replica.fetchers", INT, 1, atLeast(1), CLUSTER_WIDE, "Fetcher threads per source broker.");
        add("replica.lag.time.max.ms", LONG, 30000L, null, READ_ONLY, "A follower this far behind leaves the ISR.");
        add("replica.fetch.max.bytes", INT, 1048576, atLeast(0), READ_ONLY, "Bytes fetched per partition by followers.");
        add("replica.fetch.response.max.bytes", INT, 10485760, atLeast(0), READ_ONLY, "Bytes per follower fetch response.");
        add("replica.fetch.wait.max.ms", INT, 500, null, READ_ONLY, "Longest wait of a follower fetch.");
        add("replica.fetch.min.bytes", INT, 1, null, READ_ONLY, "Bytes a follower fetch waits for.");
        add("replica.fetch.backoff.ms", INT, 1000, atLeast(0), READ_ONLY, "Wait after a follower fetch error.");
        add("replica.socket.timeout.ms", INT, 30000, null, READ_ONLY, "Socket timeout of follower fetches.");
        add("replica.socket.receive.buffer.bytes", INT, 65536, null, READ_ONLY, "SO_RCVBUF of follower fetches.");
        add("replica.high.watermark.checkpoint.interval.ms", LONG, 5000L, null, READ_ONLY, "How often high watermarks are saved.");

        // Group coordinator
        add("offsets.topic.num.partitions", INT, 50, atLeast(1), READ_ONLY, "Partitions of __consumer_offsets.");
        // RUNNEL DEFAULT 1 (Kafka: 3) so a single broker can create __consumer_offsets.
        add("offsets.topic.replication.factor", SHORT, (short) 1, atLeast(1), READ_ONLY, "Replication factor of __consumer_offsets.");
        add("offsets.topic.segment.bytes", INT, 104857600, atLeast(1), READ_ONLY, "Segment size of __consumer_offsets.");
        add("offsets.topic.compression.codec", INT, 0, null, READ_ONLY, "Compression codec of __consumer_offsets.");
        add("offsets.load.buffer.size", INT, 5242880, atLeast(1), READ_ONLY, "Read size when loading offsets.");
        add("offsets.retention.minutes", INT, 10080, atLeast(1), READ_ONLY, "How long committed offsets of empty groups are kept.");
        add("offsets.retention.check.interval.ms", LONG, 600000L, atLeast(1), READ_ONLY, "How often stale offsets are expired.");
        add("offsets.commit.timeout.ms", INT, 5000, atLeast(1), READ_ONLY, "Longest wait for an offset commit to be replicated.");
        add("offset.metadata.max.bytes", INT, 4096, null, READ_ONLY, "Largest metadata string of an offset commit.");
        add("group.initial.rebalance.delay.ms", INT, 3000, null, READ_ONLY, "Wait for more members before the first rebalance.");
        add("group.min.session.timeout.ms", INT, 6000, null, READ_ONLY, "Shortest session timeout a member may ask for.");
        add("group.max.session.timeout.ms", INT, 1800000, null, READ_ONLY, "Longest session timeout a member may ask for.");
        add("group.max.size", INT, Integer.MAX_VALUE, atLeast(1), READ_ONLY, "Most members in one group.");
        // KIP-848 consumer groups
        add("group.consumer.session.timeout.ms", INT, 45000, atLeast(1), READ_ONLY, "Session timeout of consumer group members.");
        add("group.consumer.heartbeat.interval.ms", INT, 5000, atLeast(1), READ_ONLY, "Heartbeat interval given to consumer group members.");
        add("group.consumer.assignors", LIST, "uniform,range", null, READ_ONLY, "Server-side assignors; the first is the default.");
        add("group.consumer.max.size", INT, Integer.MAX_VALUE, atLeast(1), READ_ONLY, "Most members in one consumer group.");
        add("group.consumer.migration.policy", STRING, "bidirectional", (key, value) -> {
            if (!List.of("bidirectional", "upgrade", "downgrade", "disabled").contains(((String) value).toLowerCase(Locale.ROOT))) {
                throw new ConfigException(key, value, "String must be one of (case insensitive): bidirectional, upgrade, downgrade, disabled");
            }
        }, READ_ONLY, "Whether classic groups with members may become consumer groups (upgrade) and back (downgrade): "
                + "bidirectional, upgrade, downgrade or disabled (KIP-848 online migration).");

        // Transaction coordinator
        add("transactional.id.expiration.ms", INT, 604800000, atLeast(1), READ_ONLY, "Idle time after which a transactional id expires.");
        add("transaction.max.timeout.ms", INT, 900000, atLeast(1), READ_ONLY, "Longest transaction timeout a producer may ask for.");
        add("transaction.state.log.num.partitions", INT, 50, atLeast(1), READ_ONLY, "Partitions of __transaction_state.");
        // RUNNEL DEFAULT 1 for both (Kafka: 3 and 2) so a single broker can run transactions.
        add("transaction.state.log.replication.factor", SHORT, (short) 1, atLeast(1), READ_ONLY, "Replication factor of __transaction_state.");
        add("transaction.state.log.min.isr", INT, 1, atLeast(1), READ_ONLY, "min.insync.replicas of __transaction_state.");
        add("transaction.state.log.segment.bytes", INT, 104857600, atLeast(1), READ_ONLY, "Segment size of __transaction_state.");
        add("transaction.state.log.load.buffer.size", INT, 5242880, atLeast(1), READ_ONLY, "Read size when loading transactions.");
        add("transaction.abort.timed.out.transaction.cleanup.interval.ms", INT, 10000, atLeast(1), READ_ONLY,
                "How often timed-out transactions are aborted.");
        add("transaction.remove.expired.transaction.cleanup.interval.ms", INT, 3600000, atLeast(1), READ_ONLY,
                "How often expired transactional ids are removed.");
        add("producer.id.expiration.ms", INT, 86400000, atLeast(1), CLUSTER_WIDE, "Idle time after which producer state expires.");
        add("producer.id.expiration.check.interval.ms", INT, 600000, atLeast(1), READ_ONLY, "How often producer ids are expired.");
        add("create.topic.policy.class.name", CLASS, null, null, READ_ONLY, "Policy checking topic creation.");
    }

    private BrokerConfigKeys() {
    }

    /** Every key, in table order. */
    public static Map<String, ConfigKey> all() {
        return java.util.Collections.unmodifiableMap(KEYS);
    }

    /** The definition of {@code name}, or null when the broker does not define it. */
    public static ConfigKey get(String name) {
        return KEYS.get(name);
    }

    private static void add(String name, ConfigType type, Object defaultValue, ConfigValidator validator,
                            Update update, String doc) {
        add(name, type, defaultValue, validator, update, List.of(), doc);
    }

    private static void add(String name, ConfigType type, Object defaultValue, ConfigValidator validator,
                            Update update, List<String> synonyms, String doc) {
        if (KEYS.putIfAbsent(name, new ConfigKey(name, type, defaultValue, validator, update, synonyms, doc)) != null) {
            throw new IllegalStateException("Key defined twice: " + name);
        }
    }

    private static ConfigValidator listenersValidator() {
        ConfigValidator syntax = endpoints();
        return (key, value) -> {
            nonEmptyList().ensureValid(key, value);
            syntax.ensureValid(key, value);
        };
    }

    private static ConfigValidator protocolMapValidator() {
        return (key, value) -> SecurityProtocol.parseMap(key, (String) value);
    }
}
