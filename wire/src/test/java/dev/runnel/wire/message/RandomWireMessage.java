package dev.runnel.wire.message;

import dev.runnel.generator.Spec;
import dev.runnel.generator.Spec.FieldSpec;
import dev.runnel.generator.Spec.MessageSpec;
import dev.runnel.generator.Versions;
import dev.runnel.wire.protocol.Types;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes random but schema-valid encodings of a message at a version, straight from Kafka's spec (not
 * through any codec under test): random values, nulls wherever nullable, tagged fields present and absent,
 * and unknown tagged fields that a reader must preserve.
 */
final class RandomWireMessage {
    private static final String[] WORDS = {"", "a", "topic-1", "ünïcødé", "中文", "__consumer_offsets", "x.y_z"};
    private final MessageSpec spec;
    private final Random random;

    RandomWireMessage(MessageSpec spec, Random random) {
        this.spec = spec;
        this.random = random;
    }

    /** Returns a new heap buffer the caller owns. */
    ByteBuf write(short version) {
        ByteBuf out = Unpooled.buffer();
        struct(out, spec.fields(), version, 0);
        return out;
    }

    private void struct(ByteBuf out, List<FieldSpec> fields, short v, int depth) {
        boolean flexible = spec.flexibleVersions().contains(v);
        List<FieldSpec> tagged = new ArrayList<>();
        for (FieldSpec f : fields) {
            if (!f.versions().contains(v)) {
                continue;
            }
            if (f.taggedVersions().contains(v)) {
                tagged.add(f);
            } else {
                value(out, f, v, depth);
            }
        }
        if (!flexible) {
            return;
        }
        tagged.sort((a, b) -> Integer.compare(a.tag(), b.tag()));
        List<int[]> tags = new ArrayList<>();
        List<ByteBuf> bodies = new ArrayList<>();
        for (FieldSpec f : tagged) {
            if (random.nextBoolean()) {
                ByteBuf body = Unpooled.buffer();
                value(body, f, v, depth);
                tags.add(new int[] {f.tag()});
                bodies.add(body);
            }
        }
        if (random.nextInt(5) == 0) {
            byte[] unknown = new byte[random.nextInt(4)];
            random.nextBytes(unknown);
            tags.add(new int[] {1000 + random.nextInt(100)});
            bodies.add(Unpooled.wrappedBuffer(unknown));
        }
        Types.writeUnsignedVarint(out, tags.size());
        for (int i = 0; i < tags.size(); i++) {
            ByteBuf body = bodies.get(i);
            Types.writeUnsignedVarint(out, tags.get(i)[0]);
            Types.writeUnsignedVarint(out, body.readableBytes());
            out.writeBytes(body);
            body.release();
        }
    }

    private boolean compact(FieldSpec f, short v) {
        Versions fieldFlexible = f.flexibleVersions() == null ? Versions.ALL : f.flexibleVersions();
        return spec.flexibleVersions().contains(v) && fieldFlexible.contains(v);
    }

    private boolean writeNull(FieldSpec f, short v) {
        return f.nullableVersions().contains(v) && random.nextInt(5) == 0;
    }

    private void value(ByteBuf out, FieldSpec f, short v, int depth) {
        boolean compact = compact(f, v);
        if (f.isArray()) {
            if (writeNull(f, v)) {
                Types.writeLength(out, -1, compact);
                return;
            }
            int count = depth > 3 ? 0 : random.nextInt(4);
            Types.writeLength(out, count, compact);
            for (int i = 0; i < count; i++) {
                element(out, f, f.elementType(), v, depth + 1, compact);
            }
            return;
        }
        element(out, f, f.type(), v, depth, compact);
    }

    private void element(ByteBuf out, FieldSpec f, String type, short v, int depth, boolean compact) {
        if (!Spec.isPrimitive(type)) {
            List<FieldSpec> fields = f.fields() != null ? f.fields() : structFields(type);
            if (!f.isArray() && f.nullableVersions().contains(v)) {
                if (random.nextInt(4) == 0) {
                    out.writeByte(-1);
                    return;
                }
                out.writeByte(1);
            }
            struct(out, fields, v, depth + 1);
            return;
        }
        boolean nullable = !f.isArray() && f.nullableVersions().contains(v);
        switch (type) {
            case "bool" -> out.writeByte(random.nextBoolean() ? 1 : 0);
            case "int8" -> out.writeByte(random.nextInt());
            case "int16" -> out.writeShort(random.nextBoolean() ? random.nextInt(10) - 1 : random.nextInt());
            case "uint16" -> out.writeShort(random.nextInt(65536));
            case "int32" -> out.writeInt(random.nextBoolean() ? random.nextInt(10) - 1 : random.nextInt());
            case "uint32" -> out.writeInt(random.nextInt());
            case "int64" -> out.writeLong(random.nextBoolean() ? random.nextInt(10) - 1 : random.nextLong());
            case "float64" -> out.writeDouble(random.nextDouble() * 1000);
            case "uuid" -> {
                out.writeLong(random.nextInt(3) == 0 ? 0 : random.nextLong());
                out.writeLong(random.nextInt(3) == 0 ? 0 : random.nextLong());
            }
            case "string" -> {
                if (nullable && random.nextInt(5) == 0) {
                    Types.writeString(out, null, compact, true, f.name());
                } else {
                    Types.writeString(out, WORDS[random.nextInt(WORDS.length)], compact, false, f.name());
                }
            }
            case "bytes", "records" -> {
                if (nullable && random.nextInt(5) == 0) {
                    Types.writeLength(out, -1, compact);
                } else {
                    byte[] data = new byte[random.nextInt(type.equals("records") ? 40 : 6)];
                    random.nextBytes(data);
                    Types.writeLength(out, data.length, compact);
                    out.writeBytes(data);
                }
            }
            default -> throw new IllegalArgumentException(type);
        }
    }

    private List<FieldSpec> structFields(String type) {
        List<FieldSpec> common = spec.commonStructs().get(type);
        if (common != null) {
            return common;
        }
        FieldSpec found = find(spec.fields(), type);
        if (found == null) {
            for (List<FieldSpec> c : spec.commonStructs().values()) {
                found = find(c, type);
                if (found != null) {
                    break;
                }
            }
        }
        if (found == null) {
            throw new IllegalStateException("struct " + type + " not found in " + spec.name());
        }
        return found.fields();
    }

    private static FieldSpec find(List<FieldSpec> fields, String type) {
        for (FieldSpec f : fields) {
            if (f.fields() != null) {
                if (f.elementType().equals(type)) {
                    return f;
                }
                FieldSpec inner = find(f.fields(), type);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    static String utf8(ByteBuf buf) {
        return buf.toString(StandardCharsets.UTF_8);
    }
}
