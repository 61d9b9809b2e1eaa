package dev.runnel.log;

import dev.runnel.wire.record.InvalidRecordException;
import dev.runnel.wire.record.RecordBatchView;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The scan behind Kafka's segment recover(): reads every batch of a segment file in order, validating length, magic,
 * CRC and offset order (the base offset is outside the CRC, so a flipped bit there shows only as disorder), stops at
 * the first batch that fails, truncates the file there and collects the index entries of what remains
 * ({@link SegmentIndexer}). Runs on the partition's writer thread (or the thread opening the log); buffers it reads
 * are released before it returns.
 */
final class SegmentRecovery {
    /** The valid prefix of the file, the bytes cut after it, and its index entries. */
    record Result(long validBytes, long truncatedBytes, SegmentIndexer indexer) {
    }

    private SegmentRecovery() {
    }

    /**
     * @param nextSegmentBase no offset of this segment may reach it (the next segment's base), or Long.MAX_VALUE
     * @param visitor         sees each valid batch (borrowed, valid during the call)
     */
    static Result scan(LogSegment segment, int indexIntervalBytes, long nextSegmentBase, LogResources resources,
                       Consumer<RecordBatchView> visitor) throws IOException {
        SegmentIndexer indexer = new SegmentIndexer(segment.baseOffset(), indexIntervalBytes);
        long validBytes = 0;
        long minNextOffset = segment.baseOffset();
        SharedChannel channel = resources.files().acquire(segment.logFile());
        long fileSize;
        try {
            fileSize = channel.channel().size(); // of the file scanned, even if the name was reused meanwhile
            FileBatches batches = new FileBatches(channel.channel());
            RecordBatchView view = new RecordBatchView();
            while (batches.readAt(validBytes, fileSize)) {
                ByteBuf bytes = FileBatches.readBatch(channel, validBytes, batches.size);
                try {
                    view.wrap(bytes, 0).validate(batches.size);
                    if (view.baseOffset() < minNextOffset || view.lastOffset() >= nextSegmentBase
                            || !segment.canHold(view.lastOffset())) {
                        break;
                    }
                    indexer.add(validBytes, view.lastOffset(), view.maxTimestamp());
                    visitor.accept(view);
                    minNextOffset = view.nextOffset();
                    validBytes += batches.size;
                } catch (InvalidRecordException e) {
                    break;
                } finally {
                    bytes.release();
                }
            }
            if (validBytes < fileSize) {
                channel.channel().truncate(validBytes);
            }
        } finally {
            channel.release();
        }
        return new Result(validBytes, fileSize - validBytes, indexer);
    }
}
