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
}
