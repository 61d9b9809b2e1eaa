package dev.runnel.generator;

import dev.runnel.generator.Spec.FieldSpec;

import java.util.Set;

/** How spec types map to Java types, defaults, reads and writes in the generated code. */
final class JavaTypes {
    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "record", "var", "yield");

    private JavaTypes() {
    }

    static String camel(String name) {
        String camel = Character.toLowerCase(name.charAt(0)) + name.substring(1);
        return KEYWORDS.contains(camel) ? camel + "_" : camel;
    }

    static String javaType(FieldSpec field) {
        return field.isArray() ? "List<" + boxed(field.elementType()) + ">" : unboxed(field.type());
    }

    static String unboxed(String type) {
        return switch (type) {
            case "bool" -> "boolean";
            case "int8" -> "byte";
            case "int16" -> "short";
            case "uint16", "int32" -> "int";
            case "uint32", "int64" -> "long";
            case "float64" -> "double";
            case "string" -> "String";
            case "bytes" -> "byte[]";
            case "records" -> "Records";
            case "uuid" -> "UUID";
            default -> type;
        };
    }

    static String boxed(String type) {
        return switch (type) {
            case "bool" -> "Boolean";
            case "int8" -> "Byte";
            case "int16" -> "Short";
            case "uint16", "int32" -> "Integer";
            case "uint32", "int64" -> "Long";
            case "float64" -> "Double";
            default -> unboxed(type);
        };
    }

    static boolean isJavaPrimitive(String type) {
        return switch (type) {
            case "bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64" -> true;
            default -> false;
        };
    }

    /** The Java expression for the field's default value. */
    static String defaultValue(FieldSpec field) {
        String d = field.defaultValue();
        if (field.isArray()) {
            return "null".equals(d) ? "null" : "new ArrayList<>(0)";
        }
        String type = field.type();
        if (field.isStruct()) {
            return "null".equals(d) ? "null" : "new " + type + "()";
        }
        boolean none = d == null || d.isEmpty();
        return switch (type) {
            case "bool" -> none ? "false" : d;
            case "int8" -> "(byte) " + integer(d);
            case "int16" -> "(short) " + integer(d);
            case "uint16", "int32" -> integer(d);
            case "uint32", "int64" -> integer(d) + "L";
            case "float64" -> none ? "0.0" : Double.toString(Double.parseDouble(d));
            case "string" -> "null".equals(d) ? "null" : quote(d == null ? "" : d);
            case "bytes" -> "null".equals(d) ? "null" : "Types.EMPTY_BYTES";
            case "records" -> "null";
            case "uuid" -> "Types.ZERO_UUID";
            default -> throw new IllegalArgumentException("unknown type " + type);
        };
    }

    private static String integer(String d) {
        if (d == null || d.isEmpty()) {
            return "0";
        }
        if (d.startsWith("0x") || d.startsWith("-0x")) {
            boolean negative = d.startsWith("-");
            long value = Long.parseLong(d.substring(negative ? 3 : 2), 16);
            return Long.toString(negative ? -value : value);
        }
        return Long.toString(Long.parseLong(d));
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** An expression reading one value of a primitive type from {@code buf}. */
    static String readPrimitive(String type, String compact, String nullable, String name) {
        return switch (type) {
            case "bool" -> "Types.readBool(buf)";
            case "int8" -> "buf.readByte()";
            case "int16" -> "buf.readShort()";
            case "uint16" -> "buf.readUnsignedShort()";
            case "int32" -> "buf.readInt()";
            case "uint32" -> "buf.readUnsignedInt()";
            case "int64" -> "buf.readLong()";
            case "float64" -> "buf.readDouble()";
            case "uuid" -> "Types.readUuid(buf)";
            case "string" -> "Types.readString(buf, " + compact + ", " + nullable + ", " + quote(name) + ")";
            case "bytes" -> "Types.readBytes(buf, " + compact + ", " + nullable + ", " + quote(name) + ")";
            case "records" -> "Types.readRecords(buf, " + compact + ", " + nullable + ", " + quote(name) + ")";
            default -> throw new IllegalArgumentException("not a primitive: " + type);
        };
    }

    /** A statement writing {@code value} of a primitive type (records excepted) to {@code out}. */
    static String writePrimitive(String type, String out, String value, String compact, String nullable, String name) {
        return switch (type) {
            case "bool" -> out + ".writeByte(" + value + " ? 1 : 0);";
            case "int8" -> out + ".writeByte(" + value + ");";
            case "int16", "uint16" -> out + ".writeShort(" + value + ");";
            case "int32" -> out + ".writeInt(" + value + ");";
            case "uint32" -> out + ".writeInt((int) " + value + ");";
            case "int64" -> out + ".writeLong(" + value + ");";
            case "float64" -> out + ".writeDouble(" + value + ");";
            case "uuid" -> "Types.writeUuid(" + out + ", " + value + ");";
            case "string" -> "Types.writeString(" + out + ", " + value + ", " + compact + ", " + nullable + ", " + quote(name) + ");";
            case "bytes" -> "Types.writeBytes(" + out + ", " + value + ", " + compact + ", " + nullable + ", " + quote(name) + ");";
            default -> throw new IllegalArgumentException("not a plain primitive: " + type);
        };
    }
}
