package dev.runnel.server.producer;

import dev.runnel.server.metadata.MetadataStore;

/**
 * Hands out producer ids, unique across restarts: ids come from blocks reserved durably in the metadata store,
 * so a crash at most skips the rest of a block. Thread-safe.
 */
public final class ProducerIds {
    /** Kafka's controller hands out blocks of 1000 ids too. */
    static final int BLOCK_SIZE = 1000;

    private final MetadataStore store;
    private long next;
    private long blockEnd;

    public ProducerIds(MetadataStore store) {
        this.store = store;
    }

    public synchronized long next() {
        if (next == blockEnd) {
            next = store.allocateProducerIdBlock(BLOCK_SIZE);
            blockEnd = next + BLOCK_SIZE;
        }
        return next++;
    }
}
