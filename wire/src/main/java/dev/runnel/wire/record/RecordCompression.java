package dev.runnel.wire.record;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import org.xerial.snappy.SnappyOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Compresses and decompresses the records section of a v2 batch with the libraries and stream formats
 * Kafka uses: gzip (JDK), snappy (snappy-java's xerial framing), lz4 (Kafka's LZ4 frame, see
 * {@link Lz4FrameOutputStream}) and zstd (zstd-jni frames), with Kafka's default levels and stream
 * buffering, so compressed output is byte for byte what a Java producer writes. Stateless and thread-safe.
 *
 * <p>Decompression is bounded: output never grows past the caller's limit, and a stream that would
 * produce more fails with {@link InvalidRecordException}, as does any corrupt input. zstd's own window
 * buffer is bounded by zstd-jni's default maximum window (2^27 bytes), as in Kafka.
 */
public final class RecordCompression {
    private static final int STREAM_CHUNK = 64 * 1024;

    private RecordCompression() {
    }

    /**
     * Compresses the readable bytes of {@code src} (borrowed, not consumed) onto the end of {@code dst}
     * (borrowed, grown as needed).
     *
     * @param level a level valid for the codec ({@link CompressionType#defaultLevel()} when unsure)
     */
    public static void compress(CompressionType type, int level, ByteBuf src, ByteBuf dst) {
        if (type == CompressionType.NONE) {
            dst.writeBytes(src, src.readerIndex(), src.readableBytes());
            return;
        }
        if (!type.isValidLevel(level)) {
            throw new IllegalArgumentException(type.kafkaName() + " does not support level " + level);
        }
        try (OutputStream out = compressingStream(type, level, new ByteBufOutputStream(dst))) {
            src.getBytes(src.readerIndex(), out, src.readableBytes());
        } catch (IOException e) {
            throw new IllegalStateException(type.kafkaName() + " compression failed", e);
        }
    }

    private static OutputStream compressingStream(CompressionType type, int level, OutputStream out) throws IOException {
        return switch (type) {
            case GZIP -> new LeveledGzipOutputStream(out, level);
            case SNAPPY -> new SnappyOutputStream(out);
            case LZ4 -> new Lz4FrameOutputStream(out, level);
            // Kafka's buffering, so that the frames come out byte for byte the same as a Java producer's.
            case ZSTD -> new BufferedOutputStream(new ZstdOutputStreamNoFinalizer(out, RecyclingBufferPool.INSTANCE, level), 16 * 1024);
            case NONE -> throw new AssertionError("not a codec");
        };
    }

    /**
     * Decompresses the readable bytes of {@code src} (borrowed, not consumed) into a new heap buffer from
     * {@code alloc}, which the caller owns.
     *
     * @param maxBytes the most decompressed bytes accepted
     * @throws InvalidRecordException when the input is corrupt or decompresses to more than {@code maxBytes}
     */
    public static ByteBuf decompress(CompressionType type, ByteBuf src, int maxBytes, ByteBufAllocator alloc) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("negative limit " + maxBytes);
        }
        // A first guess that is usually enough for typical ratios; growth is capped at maxBytes.
        int initial = (int) Math.min(maxBytes, Math.max(256L, 4L * src.readableBytes()));
        ByteBuf dst = alloc.heapBuffer(initial, maxBytes);
        try {
            switch (type) {
                case NONE -> {
                    checkLimit(dst, src.readableBytes(), maxBytes);
                    dst.writeBytes(src, src.readerIndex(), src.readableBytes());
                }
                case LZ4 -> Lz4FrameDecoder.decode(src, dst, maxBytes);
                case SNAPPY -> SnappyFramedDecoder.decode(src, dst, maxBytes);
                case GZIP, ZSTD -> decodeStream(type, src, dst, maxBytes);
            }
            return dst;
        } catch (Throwable t) {
            dst.release();
            throw t;
        }
    }

    private static void decodeStream(CompressionType type, ByteBuf src, ByteBuf dst, int limit) {
        try (InputStream in = decompressingStream(type, new ByteBufInputStream(src.duplicate()))) {
            while (true) {
                int room = limit - dst.writerIndex();
                if (room == 0) {
                    if (in.read() != -1) {
                        throw exceeds(limit);
                    }
                    return;
                }
                if (dst.writeBytes(in, Math.min(room, STREAM_CHUNK)) < 0) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidRecordException invalid) {
                throw invalid;
            }
            throw new InvalidRecordException(type.kafkaName() + ": corrupt compressed records", e);
        }
    }

    private static InputStream decompressingStream(CompressionType type, InputStream in) throws IOException {
        return switch (type) {
            case GZIP -> new GZIPInputStream(in, 8 * 1024);
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
            default -> throw new AssertionError("not a stream codec: " + type);
        };
    }

    /** Fails unless {@code n} more bytes fit in {@code dst} without passing {@code limit}. */
    static void checkLimit(ByteBuf dst, int n, int limit) {
        if (n < 0 || n > limit - dst.writerIndex()) {
            throw exceeds(limit);
        }
    }

    private static InvalidRecordException exceeds(int limit) {
        return new InvalidRecordException("decompressed records exceed the limit of " + limit + " bytes");
    }

    /** The JDK's gzip stream with a chosen deflate level, as Kafka's {@code GzipOutputStream}. */
    private static final class LeveledGzipOutputStream extends GZIPOutputStream {
        LeveledGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, 8 * 1024);
            def.setLevel(level);
        }
    }
}
