package dev.runnel.wire.protocol;

/**
 * A {@code records} field of a message: a section of record batches that the codec never decodes or
 * copies. On read it is a {@link ByteBufRecords} slice of the request frame; on write it may also be a
 * file slice supplied by the storage layer, which the network layer sends with sendfile.
 */
public interface Records {
    /** Number of bytes the section occupies on the wire (without its length prefix). */
    int sizeInBytes();
}
