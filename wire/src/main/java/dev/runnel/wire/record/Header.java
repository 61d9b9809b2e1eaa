package dev.runnel.wire.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record header: a UTF-8 key and a nullable value. Values are small by convention, so they are copied
 * out of the batch rather than kept as slices.
 *
 * <pre>
 * headerKeyLength   varint (not negative)
 * headerKey         UTF-8 bytes
 * headerValueLength varint (-1 for null)
 * headerValue       bytes
 * </pre>
 */
public record Header(String key, byte[] value) {
    public Header {
        Objects.requireNonNull(key, "header key");
    }

    public static Header of(String key, String utf8Value) {
        return new Header(key, utf8Value == null ? null : utf8Value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Header other && key.equals(other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Header(" + key + ", " + (value == null ? "null" : value.length + " bytes") + ")";
    }
}
