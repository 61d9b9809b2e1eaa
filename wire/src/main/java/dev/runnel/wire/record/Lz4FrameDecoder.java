package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

import java.nio.ByteBuffer;

/**
 * Decodes one LZ4 frame (layout in {@link Lz4FrameOutputStream}) from memory, accepting what Kafka's
 * reader accepts for magic 2: version 01, independent blocks, 64 KiB-4 MiB blocks, a correct header
 * checksum, optional block checksums (verified), an optional content size (ignored) and an optional
 * content checksum (skipped, as Kafka does; the batch CRC already covers the bytes). Bytes after the end
 * mark are ignored, as Kafka does.
 *
 * <p>Every length is checked against the input before use, and output never grows past the caller's
 * limit: a block is decompressed straight into the output with at most the remaining allowance as room.
 */
final class Lz4FrameDecoder {
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();
    private static final XXHash32 XXHASH = XXHashFactory.fastestInstance().hash32();

    private Lz4FrameDecoder() {
    }

    /** Appends the content of the frame in {@code src}'s readable bytes (borrowed) to {@code dst}. */
    static void decode(ByteBuf src, ByteBuf dst, int limit) {
        int pos = src.readerIndex();
        int end = src.writerIndex();
        if (end - pos < 7 || src.getIntLE(pos) != Lz4FrameOutputStream.MAGIC) {
            throw new InvalidRecordException("lz4: not an LZ4 frame");
        }
        int flg = src.getUnsignedByte(pos + 4);
        int bd = src.getUnsignedByte(pos + 5);
        if ((flg >>> 6) != 1 || (flg & 0x03) != 0 || (flg & 0x20) == 0) {
            throw new InvalidRecordException("lz4: unsupported frame flags " + flg);
        }
        int blockSizeCode = (bd >>> 4) & 0x07;
        if ((bd & 0x8F) != 0 || blockSizeCode < 4) {
            throw new InvalidRecordException("lz4: unsupported block descriptor " + bd);
        }
        boolean blockChecksum = (flg & 0x10) != 0;
        boolean contentSize = (flg & 0x08) != 0;
        boolean contentChecksum = (flg & 0x04) != 0;
        int maxBlockSize = 1 << (2 * blockSizeCode + 8);
        int descriptorLength = contentSize ? 10 : 2;
        if (end - pos < 4 + descriptorLength + 1) {
            throw new InvalidRecordException("lz4: truncated frame descriptor");
        }
        int hash = XXHASH.hash(src.nioBuffer(pos + 4, descriptorLength), 0, descriptorLength, 0);
        if (src.getByte(pos + 4 + descriptorLength) != (byte) (hash >> 8)) {
            throw new InvalidRecordException("lz4: frame descriptor checksum mismatch");
        }
        pos += 4 + descriptorLength + 1;
        while (true) {
            requireBytes(end - pos, 4);
            int word = src.getIntLE(pos);
            pos += 4;
            int size = word & ~Lz4FrameOutputStream.UNCOMPRESSED_BLOCK_FLAG;
            if (size == 0) {
                if (contentChecksum) {
                    requireBytes(end - pos, 4);
                }
                return;
            }
            if (size > maxBlockSize) {
                throw new InvalidRecordException("lz4: block of " + size + " bytes exceeds " + maxBlockSize);
            }
            requireBytes(end - pos, size + (blockChecksum ? 4 : 0));
            if (blockChecksum && XXHASH.hash(src.nioBuffer(pos, size), 0, size, 0) != src.getIntLE(pos + size)) {
                throw new InvalidRecordException("lz4: block checksum mismatch");
            }
            if ((word & Lz4FrameOutputStream.UNCOMPRESSED_BLOCK_FLAG) != 0) {
                RecordCompression.checkLimit(dst, size, limit);
                dst.writeBytes(src, pos, size);
            } else {
                decompressBlock(src, pos, size, dst, Math.min(maxBlockSize, limit - dst.writerIndex()), limit);
            }
            pos += size + (blockChecksum ? 4 : 0);
        }
    }

    private static void decompressBlock(ByteBuf src, int pos, int size, ByteBuf dst, int room, int limit) {
        dst.ensureWritable(room);
        ByteBuffer out = dst.nioBuffer(dst.writerIndex(), room);
        try {
            int n = DECOMPRESSOR.decompress(src.nioBuffer(pos, size), 0, size, out, 0, room);
            dst.writerIndex(dst.writerIndex() + n);
        } catch (LZ4Exception e) {
            String why = dst.writerIndex() + room == limit ? "corrupt, or content exceeds " + limit + " bytes" : "corrupt";
            throw new InvalidRecordException("lz4: block " + why, e);
        }
    }

    private static void requireBytes(int available, int needed) {
        if (available < needed) {
            throw new InvalidRecordException("lz4: frame ends prematurely");
        }
    }
}
