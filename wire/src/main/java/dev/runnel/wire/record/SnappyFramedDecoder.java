package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyError;

import java.io.IOException;

/**
 * Decodes snappy-compressed records as Kafka's reader ({@code SnappyInputStream} of snappy-java) does,
 * but from memory and without trusting any length it has not checked.
 *
 * <pre>
 * xerial framing (what Java producers write):
 *   magic           8  0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *   version         4  int32 BE, at least 1
 *   compatible      4  int32 BE
 *   chunks             int32 BE compressed size + one raw snappy block (varint uncompressed length, data);
 *                      a repeated magic starts another concatenated stream
 * raw snappy (what some non-Java clients write): the whole input is one snappy block.
 * </pre>
 *
 * snappy-java would allocate a chunk buffer of whatever size the input declares (up to 512 MiB) and an
 * output of whatever uncompressed length a block declares; here a chunk must fit the input and a block's
 * declared length must fit the caller's limit before anything is allocated.
 */
final class SnappyFramedDecoder {
    private static final byte[] MAGIC = {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    private static final int HEADER_SIZE = 16;

    private SnappyFramedDecoder() {
    }

    /** Appends the content of {@code src}'s readable bytes (borrowed) to {@code dst}, a heap buffer. */
    static void decode(ByteBuf src, ByteBuf dst, int limit) {
        int pos = src.readerIndex();
        int end = src.writerIndex();
        if (!hasMagic(src, pos, end)) {
            decodeBlock(src, pos, end - pos, dst, limit);
            return;
        }
        while (pos < end) {
            if (hasMagic(src, pos, end)) {
                if (src.getInt(pos + MAGIC.length) < 1) {
                    throw new InvalidRecordException("snappy: unsupported stream version " + src.getInt(pos + MAGIC.length));
                }
                pos += HEADER_SIZE;
                continue;
            }
            if (end - pos < 4) {
                throw new InvalidRecordException("snappy: truncated chunk length");
            }
            int chunkSize = src.getInt(pos);
            pos += 4;
            if (chunkSize < 0 || chunkSize > end - pos) {
                throw new InvalidRecordException("snappy: chunk of " + chunkSize + " bytes exceeds the " + (end - pos) + " left");
            }
            decodeBlock(src, pos, chunkSize, dst, limit);
            pos += chunkSize;
        }
    }

    private static boolean hasMagic(ByteBuf src, int pos, int end) {
        if (end - pos < HEADER_SIZE) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (src.getByte(pos + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static void decodeBlock(ByteBuf src, int pos, int size, ByteBuf dst, int limit) {
        byte[] in;
        int inOffset;
        if (src.hasArray()) {
            in = src.array();
            inOffset = src.arrayOffset() + pos;
        } else {
            in = new byte[size]; // bounded by the input actually present
            src.getBytes(pos, in);
            inOffset = 0;
        }
        try {
            int length = Snappy.uncompressedLength(in, inOffset, size);
            RecordCompression.checkLimit(dst, length, limit);
            dst.ensureWritable(length);
            int written = Snappy.uncompress(in, inOffset, size, dst.array(), dst.arrayOffset() + dst.writerIndex());
            if (written != length) {
                throw new InvalidRecordException("snappy: block decoded to " + written + " bytes, declared " + length);
            }
            dst.writerIndex(dst.writerIndex() + written);
        } catch (IOException | RuntimeException | SnappyError e) {
            if (e instanceof InvalidRecordException invalid) {
                throw invalid;
            }
            throw new InvalidRecordException("snappy: corrupt block", e);
        }
    }
}
