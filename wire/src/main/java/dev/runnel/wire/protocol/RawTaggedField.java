package dev.runnel.wire.protocol;

import java.util.Arrays;

/**
 * A tagged field this version of the schema does not know: kept as raw bytes and written back unchanged,
 * as Kafka does, so that a newer peer's fields survive a round trip.
 */
public final class RawTaggedField {
    private final int tag;
    private final byte[] data;

    public RawTaggedField(int tag, byte[] data) {
        this.tag = tag;
        this.data = data;
    }

    public int tag() {
        return tag;
    }

    public byte[] data() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawTaggedField other && tag == other.tag && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * tag + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "RawTaggedField(tag=" + tag + ", " + data.length + " bytes)";
    }
}
