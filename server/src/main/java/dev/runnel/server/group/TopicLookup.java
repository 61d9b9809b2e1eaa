package dev.runnel.server.group;

import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** The broker's topics as consumer group assignment sees them; both functions must be safe from any thread. */
public record TopicLookup(Supplier<Collection<TopicMetadata>> all, Function<String, Optional<TopicMetadata>> byName) {
    public static final TopicLookup NONE = new TopicLookup(List::of, name -> Optional.empty());

    public static TopicLookup of(MetadataStore store) {
        return new TopicLookup(store::topics, store::topic);
    }

    Collection<TopicMetadata> topics() {
        return all.get();
    }

    Optional<TopicMetadata> topic(String name) {
        return byName.apply(name);
    }

    /**
     * A version of the set of topics (names and ids): it changes when a topic is created, deleted or re-created,
     * not when partitions or configs change. Regex subscriptions are resolved again only when it changes. The
     * metadata store has no version counter, so this is a 64-bit digest, O(topics) to compute.
     */
    long version() {
        long sum = 0;
        long xor = 0;
        int count = 0;
        for (TopicMetadata t : topics()) {
            long h = t.name().hashCode() * 0x9E3779B97F4A7C15L + t.topicId().getMostSignificantBits() * 31
                    + t.topicId().getLeastSignificantBits();
            h ^= h >>> 31;
            h *= 0xBF58476D1CE4E5B9L;
            sum += h;
            xor ^= h;
            count++;
        }
        // order-independent, since the topics come in no particular order
        return sum * 31 + xor + count;
    }
}
