package dev.runnel.log;

import dev.runnel.log.TransactionScan.LastRecord;
import dev.runnel.wire.record.Record;
import dev.runnel.wire.record.RecordBatchView;
import dev.runnel.wire.record.RecordIterator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Cleans groups of segments into {@code <base>.log.cleaned} files with their {@code .index.cleaned} and
 * {@code .timeindex.cleaned}, applying Kafka's retention rules to each batch (Kafka's {@code Cleaner.cleanInto}):
 * <ul>
 *   <li>a record stays if it is the latest for its key in the offset map (or past the mapped range), and, for a
 *   tombstone, while its batch's delete horizon has not passed; records without a key go;</li>
 *   <li>batches of aborted transactions go; markers go once discardable and past their delete horizon;</li>
 *   <li>a producer's last batch, and the last batch before the uncleanable offset, stay even when empty (as a bare
 *   header keeping offsets, sequence and epoch);</li>
 *   <li>a batch that keeps every record and needs no delete horizon is copied byte for byte; otherwise it is
 *   rewritten by {@link CleanedBatchWriter}, the first clean that keeps a tombstone or a discardable marker setting
 *   the delete horizon to now + {@code delete.retention.ms} (KIP-534).</li>
 * </ul>
 * One instance serves one cleaning pass, in offset order, on the partition's writer thread. Buffers it reads or
 * writes are released before each method returns.
 */
final class SegmentCleaner {
    private final OffsetMap map;
    private final CleanedTransactions transactions;
    private final Map<Long, LastRecord> lastRecords;
    private final long now;
    private final long deleteRetentionMs;
    private final long upperBoundOffset;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    long bytesRead;
    long bytesWritten;
    long recordsRead;
    long recordsRetained;

    SegmentCleaner(OffsetMap map, CleanedTransactions transactions, Map<Long, LastRecord> lastRecords, long now,
                   long deleteRetentionMs, long upperBoundOffset) {
        this.map = map;
        this.transactions = transactions;
        this.lastRecords = lastRecords;
        this.now = now;
        this.deleteRetentionMs = deleteRetentionMs;
        this.upperBoundOffset = upperBoundOffset;
    }

    /**
     * Writes the cleaned form of {@code group} (consecutive segments) into the {@code .cleaned} files named after
     * its first segment, fsynced, with the modification time of its last segment (so time-based retention does not
     * restart). The log itself is not changed.
     */
    void cleanGroup(List<LogSegment> group, Path dir, LogConfig config, LogResources resources) throws IOException {
        long base = group.get(0).baseOffset();
        SegmentIndexer indexer = new SegmentIndexer(base, config.indexIntervalBytes());
        Path logFile = SegmentSwap.cleaned(LogFiles.logFile(dir, base));
        try (FileChannel out = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long[] position = {0};
            RecordBatchView written = new RecordBatchView();
            for (LogSegment segment : group) {
                try {
                    segment.forEachBatchFrom(segment.baseOffset(), batch -> {
                        ByteBuf kept = clean(batch);
                        if (kept == null) {
                            return;
                        }
                        try {
                            written.wrap(kept, kept.readerIndex());
                            indexer.add(position[0], written.lastOffset(), written.maxTimestamp());
                            position[0] += writeFully(out, kept, position[0]);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        } finally {
                            kept.release();
                        }
                    });
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            }
            out.force(true);
            bytesWritten += position[0];
        }
        indexer.finishRolled();
        new OffsetIndex(LogFiles.offsetIndexFile(dir, base), base, Integer.MAX_VALUE, resources)
                .writeFile(indexer.offsets, SegmentSwap.cleaned(LogFiles.offsetIndexFile(dir, base)));
        new TimeIndex(LogFiles.timeIndexFile(dir, base), base, Integer.MAX_VALUE, resources)
                .writeFile(indexer.times, SegmentSwap.cleaned(LogFiles.timeIndexFile(dir, base)));
        FileTime modified = Files.getLastModifiedTime(group.get(group.size() - 1).logFile());
        Files.setLastModifiedTime(logFile, modified);
    }

    /** The bytes to keep for {@code batch} (borrowed): null to drop it, else a buffer the caller releases. */
    ByteBuf clean(RecordBatchView batch) {
        bytesRead += batch.sizeInBytes();
        boolean control = batch.isControl();
        boolean canDiscard = control
                ? transactions.onControlBatch(batch, TransactionScan.controlType(batch))
                : transactions.onDataBatch(batch);
        boolean discardRecords = control
                ? canDiscard && batch.hasDeleteHorizon() && batch.deleteHorizonMs() <= now
                : canDiscard;
        boolean retainEmpty = (batch.hasProducerId() && isLastOfProducer(batch)) || batch.nextOffset() == upperBoundOffset;
        if (discardRecords && !retainEmpty) {
            recordsRead += batch.recordCount();
            return null;
        }
        List<Record> retained = new ArrayList<>();
        boolean unchanged = true;
        boolean tombstones = false;
        try (RecordIterator records = batch.records(alloc, Integer.MAX_VALUE)) {
            while (records.hasNext()) {
                Record record = records.next();
                recordsRead++;
                if (!discardRecords && (control || shouldRetain(batch, record))) {
                    retained.add(record);
                    tombstones |= record.value() == null;
                } else {
                    unchanged = false;
                }
            }
            recordsRetained += retained.size();
            if (!retained.isEmpty()) {
                boolean setHorizon = (tombstones || (canDiscard && control)) && !batch.hasDeleteHorizon();
                if (unchanged && !setHorizon) {
                    return batch.buffer().retainedSlice(batch.start(), batch.sizeInBytes());
                }
                long horizon = setHorizon ? now + deleteRetentionMs : batch.deleteHorizonMs();
                return CleanedBatchWriter.rewrite(batch, retained, horizon, alloc);
            }
        }
        return retainEmpty ? CleanedBatchWriter.emptyHeader(batch, alloc) : null;
    }

    private boolean shouldRetain(RecordBatchView batch, Record record) {
        if (record.offset() > map.latestOffset()) {
            return true; // beyond the mapped range: a later pass decides
        }
        if (!record.hasKey()) {
            return false;
        }
        boolean latestForKey = record.offset() >= map.get(record.key());
        boolean keepTombstone = !batch.hasDeleteHorizon() || now < batch.deleteHorizonMs();
        return latestForKey && (record.value() != null || keepTombstone);
    }

    private boolean isLastOfProducer(RecordBatchView batch) {
        LastRecord last = lastRecords.get(batch.producerId());
        if (last == null) {
            return false;
        }
        return last.lastDataOffset() >= 0
                ? batch.lastOffset() == last.lastDataOffset()
                : batch.isControl() && batch.producerEpoch() == last.producerEpoch();
    }

    private static int writeFully(FileChannel out, ByteBuf bytes, long position) throws IOException {
        int written = 0;
        for (ByteBuffer part : bytes.nioBuffers(bytes.readerIndex(), bytes.readableBytes())) {
            while (part.hasRemaining()) {
                written += out.write(part, position + written);
            }
        }
        return written;
    }
}
