package dev.runnel.testing;

import io.netty.util.ResourceLeakDetector;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Netty leak detector that remembers every leak it reports, so that {@link LeakCheckExtension} can fail
 * the test that caused it instead of leaving a line in a log nobody reads.
 *
 * <p>Installed for every test JVM by {@code -Dio.netty.customResourceLeakDetector} in the root POM, which
 * Netty reads before the first buffer class is initialised.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    @SuppressWarnings("unused") // the constructor shape older Netty versions look up
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add(resourceType + " leaked:" + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add(resourceType + " leaked (no access records)");
        super.reportUntracedLeak(resourceType);
    }

    /** Returns the leaks reported since the last call and forgets them. */
    static List<String> drain() {
        List<String> copy = List.copyOf(LEAKS);
        LEAKS.removeAll(copy);
        return copy;
    }
}
