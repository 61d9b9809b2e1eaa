package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What consumer group members subscribe to, against the broker's topics: names that exist, and the topics their
 * {@code subscribedTopicRegex} matched ({@link ConsumerGroupRegexes} resolves those). Stateless.
 */
final class ConsumerGroupTopics {
    private ConsumerGroupTopics() {
    }

    /** Whether {@code regex} compiles; Kafka answers INVALID_REGULAR_EXPRESSION otherwise. */
    static boolean isValidRegex(String regex) {
        try {
            Pattern.compile(regex);
            return true;
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    /** The topic names {@code s} subscribes to: by name, and what its regex matched ({@code regexTopics}). */
    static Set<String> subscribedNames(Map<String, List<String>> regexTopics, ConsumerGroupRecord.MemberSubscription s) {
        Set<String> names = new TreeSet<>(s.subscribedTopicNames());
        if (s.subscribedTopicRegex() != null) {
            names.addAll(regexTopics.getOrDefault(s.subscribedTopicRegex(), List.of()));
        }
        return names;
    }

    /** The existing topics any of {@code subscriptions} covers, by name. */
    static Map<String, TopicMetadata> subscribedTopics(TopicLookup topics, Map<String, List<String>> regexTopics,
                                                      Collection<ConsumerGroupRecord.MemberSubscription> subscriptions) {
        Map<String, TopicMetadata> out = new TreeMap<>();
        for (ConsumerGroupRecord.MemberSubscription s : subscriptions) {
            for (String name : subscribedNames(regexTopics, s)) {
                if (!out.containsKey(name)) {
                    topics.topic(name).ifPresent(t -> out.put(name, t));
                }
            }
        }
        return out;
    }

    /**
     * A 64-bit digest of the subscribed topics (name, id, partition count); a change bumps the group epoch. Kafka
     * stores a Murmur3-based hash here; ours differs, which only costs one rebalance if Kafka loads our log.
     */
    static long hash(Map<String, TopicMetadata> topics) {
        if (topics.isEmpty()) {
            return 0;
        }
        long h = 0xcbf29ce484222325L;
        for (TopicMetadata t : topics.values()) {
            h = mix(h, t.name().hashCode());
            h = mix(h, t.topicId().getMostSignificantBits());
            h = mix(h, t.topicId().getLeastSignificantBits());
            h = mix(h, t.partitionCount());
        }
        return h == 0 ? 1 : h;
    }

    private static long mix(long h, long v) {
        h ^= v;
        h *= 0x100000001b3L;
        return h ^ (h >>> 29);
    }
}
