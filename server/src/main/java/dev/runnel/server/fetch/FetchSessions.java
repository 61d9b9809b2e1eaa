package dev.runnel.server.fetch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Incremental fetch sessions (KIP-227): the broker remembers which partitions a consumer fetches and what it
 * last told it, so that an incremental request names only what changed and the response carries only
 * partitions with news. Bounded by {@code max.incremental.fetch.session.cache.slots}; the least recently
 * used session is evicted, and its owner gets FETCH_SESSION_ID_NOT_FOUND and starts over with a full fetch.
 *
 * <p>Thread-safe: every method locks the cache; sessions are small and operations short.
 */
public final class FetchSessions {
    public static final int INITIAL_EPOCH = 0;
    public static final int FINAL_EPOCH = -1;

    /** A fetched partition: by topic id when the request has ids (v13+), else by name. */
    public record Key(String topic, UUID topicId, int partition) {
    }

    /** What the session knows of one partition: the request's last fetch state and what was last sent. */
    public static final class PartitionState {
        public long fetchOffset;
        public int maxBytes;
        public long logStartOffset;
        public int currentLeaderEpoch;
        public int lastFetchedEpoch;
        long sentHighWatermark = -1;
        long sentLastStableOffset = -1;
        long sentLogStartOffset = -1;

        /** Whether a response with these offsets (and no records, no error) tells the client something new. */
        public boolean changed(long highWatermark, long lastStableOffset, long logStart) {
            return highWatermark != sentHighWatermark || lastStableOffset != sentLastStableOffset
                    || logStart != sentLogStartOffset;
        }

        public void sent(long highWatermark, long lastStableOffset, long logStart) {
            sentHighWatermark = highWatermark;
            sentLastStableOffset = lastStableOffset;
            sentLogStartOffset = logStart;
        }
    }

    /** One session: its partitions in request order, and the epoch the next request must carry. */
    public static final class Session {
        final int id;
        int nextEpoch = 1;
        final Map<Key, PartitionState> partitions = new LinkedHashMap<>();

        Session(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public Map<Key, PartitionState> partitions() {
            return partitions;
        }
    }

    private final int maxSessions;
    private final LinkedHashMap<Integer, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);

    public FetchSessions(int maxSessions) {
        this.maxSessions = maxSessions;
    }

    /** Creates a session for a full fetch, evicting the least recently used when full; null when sessions are off. */
    public synchronized Session create() {
        if (maxSessions <= 0) {
            return null;
        }
        if (sessions.size() >= maxSessions) {
            Integer eldest = sessions.keySet().iterator().next();
            sessions.remove(eldest);
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        Session session = new Session(id);
        sessions.put(id, session);
        return session;
    }

    /** The session for an incremental fetch, or null when it does not exist (any more). */
    public synchronized Session get(int id) {
        return sessions.get(id);
    }

    public synchronized void remove(int id) {
        sessions.remove(id);
    }

    public synchronized int size() {
        return sessions.size();
    }
}
