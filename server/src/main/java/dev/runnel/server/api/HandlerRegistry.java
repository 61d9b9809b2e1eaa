package dev.runnel.server.api;

import dev.runnel.wire.message.ApiMessageType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one place where handlers are registered. ApiVersions is computed from it, so nothing without a
 * handler can be advertised.
 */
public final class HandlerRegistry {
    private final ApiHandler<?>[] byKey = new ApiHandler<?>[ApiMessageType.values().length + 128];
    private final Map<Short, ApiHandler<?>> sorted = new TreeMap<>();

    public HandlerRegistry register(ApiHandler<?> handler) {
        short key = handler.api().apiKey;
        if (byKey[key] != null) {
            throw new IllegalStateException("two handlers for " + handler.api());
        }
        if (handler.lowestVersion() > handler.highestVersion()) {
            throw new IllegalStateException("handler for " + handler.api() + " declares no version");
        }
        byKey[key] = handler;
        sorted.put(key, handler);
        return this;
    }

    /** The handler for an API key, or null when none is registered. */
    @SuppressWarnings("unchecked")
    public <Q extends dev.runnel.wire.protocol.ApiMessage> ApiHandler<Q> handler(int apiKey) {
        return apiKey >= 0 && apiKey < byKey.length ? (ApiHandler<Q>) byKey[apiKey] : null;
    }

    /** Whether a request at this API key and version can be served. */
    public boolean supports(int apiKey, short version) {
        ApiHandler<?> h = handler(apiKey);
        return h != null && version >= h.lowestVersion() && version <= h.highestVersion();
    }

    public Collection<ApiHandler<?>> handlers() {
        return new ArrayList<>(sorted.values());
    }

    /** The advertised range of every registered API, ordered by key. */
    public List<short[]> advertisedVersions() {
        List<short[]> ranges = new ArrayList<>();
        for (ApiHandler<?> h : sorted.values()) {
            ranges.add(new short[] {h.api().apiKey, h.lowestVersion(), h.highestVersion()});
        }
        return ranges;
    }
}
