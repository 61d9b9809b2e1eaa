package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Resolves what consumer group members subscribe to against the broker's topics: names that exist, and every
 * topic whose whole name matches a member's {@code subscribedTopicRegex} (Java regex in place of Kafka's RE2J; the
 * patterns clients send are in their common subset). Stateless.
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

    static Set<String> subscribedNames(TopicLookup topics, ConsumerGroupRecord.MemberSubscription s) {
        Set<String> names = new TreeSet<>(s.subscribedTopicNames());
        if (s.subscribedTopicRegex() != null && isValidRegex(s.subscribedTopicRegex())) {
            Pattern p = Pattern.compile(s.subscribedTopicRegex());
            for (TopicMetadata t : topics.topics()) {
                if (p.matcher(t.name()).matches()) {
                    names.add(t.name());
                }
            }
        }
        return names;
    }

    /** The existing topics any of {@code subscriptions} covers, by name. */
    static Map<String, TopicMetadata> subscribedTopics(TopicLookup topics,
                                                      Collection<ConsumerGroupRecord.MemberSubscription> subscriptions) {
        Map<String, TopicMetadata> out = new TreeMap<>();
        for (ConsumerGroupRecord.MemberSubscription s : subscriptions) {
            for (String name : subscribedNames(topics, s)) {
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
