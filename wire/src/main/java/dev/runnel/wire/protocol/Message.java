package dev.runnel.wire.protocol;

import io.netty.buffer.ByteBuf;

import java.util.List;

/**
 * A protocol struct generated from Kafka's message specs: a request, a response, a header or a nested
 * struct. One class covers every version; {@code version} selects the fields and encodings.
 */
public interface Message {
    /**
     * Reads this struct's fields for {@code version} from {@code buf} (borrowed). {@code records} fields
     * become slices of {@code buf}, valid as long as its owner keeps it. Throws {@link ProtocolException}
     * (or an {@link IndexOutOfBoundsException} that {@link Messages#read} turns into one) on bad input.
     */
    void read(ByteBuf buf, short version);

    /** Writes this struct's fields for {@code version}; fields that do not exist in that version are dropped. */
    void write(MessageWriter writer, short version);

    /** Tagged fields read but not known to this schema, in the order read; empty when none. */
    List<RawTaggedField> unknownTaggedFields();
}
