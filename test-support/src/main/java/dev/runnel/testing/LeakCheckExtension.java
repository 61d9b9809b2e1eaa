package dev.runnel.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran.
 *
 * <p>Netty notices a leak only when the garbage collector has cleared an unreleased buffer and a later
 * allocation polls the reference queue, so after the class we collect garbage and allocate a few buffers
 * before asking {@link RecordingLeakDetector} what it saw. Registered for all tests through the
 * {@code ServiceLoader} file in this module and {@code junit.jupiter.extensions.autodetection.enabled}.
 */
public final class LeakCheckExtension implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            for (int i = 0; i < 64; i++) {
                ByteBuf heap = Unpooled.buffer(8);
                heap.release();
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(8);
                pooled.release();
            }
        }
        List<String> leaks = RecordingLeakDetector.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) in " + context.getDisplayName()
                    + ":\n" + String.join("\n", leaks));
        }
    }
}
