package dev.runnel.server.metadata;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The cluster's metadata: topics, topic ids, partition assignments and leaders, topic configs and dynamic
 * broker configs. One implementation keeps it in a local file for a single broker; a ZooKeeper-backed one
 * serves a cluster. Reads are cheap and may happen on any thread; writes are durable when they return.
 */
public interface MetadataStore extends AutoCloseable {
    Collection<TopicMetadata> topics();

    Optional<TopicMetadata> topic(String name);

    Optional<TopicMetadata> topic(UUID topicId);

    /**
     * Adds a topic.
     *
     * @throws TopicExistsException when a topic of that name exists
     */
    void createTopic(TopicMetadata topic);

    /**
     * Adds several topics (one CreateTopics request), all or none; a store that can makes them durable with one
     * write, which this default, one {@link #createTopic} each, does not.
     *
     * @throws TopicExistsException when a topic of one of those names exists, or a name appears twice; nothing is
     *                              added then
     */
    default void createTopics(Collection<TopicMetadata> topics) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (TopicMetadata topic : topics) {
            if (!names.add(topic.name()) || topic(topic.name()).isPresent()) {
                throw new TopicExistsException(topic.name());
            }
        }
        topics.forEach(this::createTopic);
    }

    /** Replaces a topic's partitions or configs; the name and id must match an existing topic. */
    void updateTopic(TopicMetadata topic);

    /** Removes a topic; returns what was removed, or empty when there was no such topic. */
    Optional<TopicMetadata> deleteTopic(String name);

    /** Dynamic broker configs set at runtime (IncrementalAlterConfigs), which survive restarts. */
    Map<String, String> dynamicBrokerConfigs();

    void setDynamicBrokerConfigs(Map<String, String> configs);

    /**
     * Reserves {@code size} producer ids that no earlier call returned, even across restarts, and returns the
     * first of them.
     */
    long allocateProducerIdBlock(int size);

    @Override
    void close();

    /** A topic with that name already exists. */
    final class TopicExistsException extends RuntimeException {
        public TopicExistsException(String name) {
            super("Topic '" + name + "' already exists.");
        }
    }
}
