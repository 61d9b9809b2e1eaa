package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Resolution of the topic regexes consumer group members subscribe to (KIP-848 {@code subscribedTopicRegex}).
 * As in Kafka, each regex of a group is resolved once and the result stored as a
 * {@code ConsumerGroupRegularExpression} record (type 16), which replays into {@link ConsumerGroup#resolvedRegexes};
 * heartbeats use the stored result. A regex is resolved again only when the broker's set of topics changed
 * ({@link TopicLookup#version}), so a steady group costs no regex matching per heartbeat. Kafka resolves on a
 * background thread and also refreshes every {@code group.consumer.regex.refresh.interval.ms}; here resolution
 * runs inline on the partition lane (matching names is cheap next to an append) and the exact topic version makes
 * the periodic refresh unnecessary. Java regex stands in for Kafka's RE2J; the patterns clients send are in their
 * common subset. Runs on the partition lane.
 */
final class ConsumerGroupRegexes {
    private final CoordinatorShard shard;

    ConsumerGroupRegexes(CoordinatorShard shard) {
        this.shard = shard;
    }

    /**
     * The topics each regex of {@code subscriptions} matches. Adds records resolving the regexes never resolved or
     * resolved against other topics, and tombstones for the group's regexes no member subscribes to any more.
     */
    Map<String, List<String>> refresh(ConsumerGroup group, Collection<ConsumerGroupRecord.MemberSubscription> subscriptions,
                                      List<CoordinatorRecord> records) {
        Set<String> regexes = regexesOf(subscriptions);
        forgetUnused(group, regexes, records);
        Map<String, List<String>> out = new HashMap<>();
        if (regexes.isEmpty()) {
            return out;
        }
        long version = shard.topics.version();
        for (String regex : regexes) {
            ConsumerGroupRecord.ResolvedRegex resolved = group.resolvedRegexes.get(regex);
            if (resolved == null || resolved.version() != version) {
                resolved = new ConsumerGroupRecord.ResolvedRegex(match(regex), version, shard.clock.getAsLong());
                records.add(new ConsumerGroupRecord.RegularExpression(group.groupId, regex, resolved));
            }
            out.put(regex, resolved.topics());
        }
        return out;
    }

    /**
     * After members leave: tombstones for regexes nobody else subscribes to; returns the stored resolutions of the
     * others, unrefreshed (Kafka's maybeDeleteResolvedRegularExpressions).
     */
    Map<String, List<String>> forget(ConsumerGroup group, Collection<ConsumerGroupRecord.MemberSubscription> remaining,
                                     List<CoordinatorRecord> records) {
        Set<String> regexes = regexesOf(remaining);
        forgetUnused(group, regexes, records);
        Map<String, List<String>> out = new HashMap<>();
        for (String regex : regexes) {
            ConsumerGroupRecord.ResolvedRegex resolved = group.resolvedRegexes.get(regex);
            out.put(regex, resolved == null ? List.of() : resolved.topics());
        }
        return out;
    }

    private static void forgetUnused(ConsumerGroup group, Set<String> regexes, List<CoordinatorRecord> records) {
        for (String stored : group.resolvedRegexes.keySet()) {
            if (!regexes.contains(stored)) {
                records.add(new ConsumerGroupRecord.RegularExpression(group.groupId, stored, null));
            }
        }
    }

    private static Set<String> regexesOf(Collection<ConsumerGroupRecord.MemberSubscription> subscriptions) {
        Set<String> out = new TreeSet<>();
        for (ConsumerGroupRecord.MemberSubscription s : subscriptions) {
            if (s.subscribedTopicRegex() != null && ConsumerGroupTopics.isValidRegex(s.subscribedTopicRegex())) {
                out.add(s.subscribedTopicRegex());
            }
        }
        return out;
    }

    /** The names of the topics whose whole name matches {@code regex}, sorted. */
    private List<String> match(String regex) {
        Pattern p = Pattern.compile(regex);
        List<String> out = new ArrayList<>();
        for (TopicMetadata t : shard.topics.topics()) {
            if (p.matcher(t.name()).matches()) {
                out.add(t.name());
            }
        }
        out.sort(null);
        return out;
    }
}
