package dev.runnel.generator;

import dev.runnel.generator.Spec.FieldSpec;
import dev.runnel.generator.Spec.MessageSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static dev.runnel.generator.JavaTypes.camel;
import static dev.runnel.generator.JavaTypes.quote;

/**
 * Writes one struct (a message or one of its nested structs) as a Java class: fields with defaults,
 * accessors, {@code read}, {@code write}, equals, hashCode and toString. Version-dependent behaviour is a
 * runtime condition on {@code version}, simplified against the message's valid versions.
 */
final class StructGenerator {
    private final MessageSpec message;
    private final CodeBuffer code;

    StructGenerator(MessageSpec message, CodeBuffer code) {
        this.message = message;
        this.code = code;
    }

    /** The condition "version is in {@code v}", simplified using the message's valid versions. */
    String cond(Versions v) {
        Versions valid = message.validVersions();
        Versions within = v.intersect(valid);
        if (within.isEmpty()) {
            return "false";
        }
        if (within.equals(valid)) {
            return "true";
        }
        boolean low = within.lowest() > valid.lowest();
        boolean high = within.highest() < valid.highest();
        if (low && high) {
            return within.lowest() == within.highest() ? "version == " + within.lowest()
                    : "(version >= " + within.lowest() + " && version <= " + within.highest() + ")";
        }
        return low ? "version >= " + within.lowest() : "version <= " + within.highest();
    }

    private static String and(String a, String b) {
        if (a.equals("false") || b.equals("false")) {
            return "false";
        }
        if (a.equals("true")) {
            return b;
        }
        return b.equals("true") ? a : a + " && " + b;
    }

    private String compact(FieldSpec f) {
        return f.flexibleVersions() == null ? "flexible" : and("flexible", cond(f.flexibleVersions()));
    }

    /** Present in this version as a regular (not tagged) field. */
    private String regular(FieldSpec f) {
        if (!f.isTagged()) {
            return cond(f.versions());
        }
        Versions present = f.versions().intersect(message.validVersions());
        return f.taggedVersions().containsAll(present) ? "false"
                : and(cond(f.versions()), "!(" + cond(f.taggedVersions()) + ")");
    }

    /** Opens the block that guards a field: an if for a version condition, a bare scope otherwise. */
    private void openGuard(String condition) {
        code.open(condition.equals("true") ? "{" : "if (" + condition + ") {");
    }

    void generate(String className, List<FieldSpec> fields, boolean topLevel) {
        String implemented = topLevel && message.isApiMessage() ? "ApiMessage" : "Message";
        String modifiers = topLevel ? "public final class " : "public static final class ";
        code.open(modifiers + className + " implements " + implemented + " {");
        if (topLevel) {
            if (message.isApiMessage()) {
                code.line("public static final short API_KEY = " + message.apiKey() + ";");
            }
            code.line("public static final short LOWEST_SUPPORTED_VERSION = " + message.validVersions().lowest() + ";");
            code.line("public static final short HIGHEST_SUPPORTED_VERSION = " + message.validVersions().highest() + ";");
            code.line("");
        }
        for (FieldSpec f : fields) {
            code.line("private " + JavaTypes.javaType(f) + " " + camel(f.name()) + " = " + JavaTypes.defaultValue(f) + ";");
        }
        code.line("private List<RawTaggedField> unknownTaggedFields = List.of();");
        for (FieldSpec f : fields) {
            if (f.isTagged() && f.isStruct() && !f.isArray() && !"null".equals(f.defaultValue())) {
                // compared against on every write; never handed out, so sharing one instance is safe
                code.line("private static final " + f.type() + " " + defaultConstant(f) + " = new " + f.type() + "();");
            }
        }
        code.line("");
        code.line("public " + className + "() {");
        code.line("}");
        code.line("");
        if (topLevel && message.isApiMessage()) {
            code.line("@Override");
            code.line("public short apiKey() { return API_KEY; }");
            code.line("");
            code.line("@Override");
            code.line("public short lowestSupportedVersion() { return LOWEST_SUPPORTED_VERSION; }");
            code.line("");
            code.line("@Override");
            code.line("public short highestSupportedVersion() { return HIGHEST_SUPPORTED_VERSION; }");
            code.line("");
        }
        accessors(className, fields);
        read(fields);
        write(fields);
        equalsHashCodeToString(className, fields);
        code.close("}");
    }

    private void accessors(String className, List<FieldSpec> fields) {
        for (FieldSpec f : fields) {
            String type = JavaTypes.javaType(f);
            String name = camel(f.name());
            if (f.about() != null) {
                code.line("/** " + f.about().replace("*/", "* /").replace("@", "{@literal @}") + " */");
            }
            code.line("public " + type + " " + name + "() { return " + name + "; }");
            code.line("");
            code.line("public " + className + " set" + f.name() + "(" + type + " value) { this." + name + " = value; return this; }");
            code.line("");
        }
        code.line("@Override");
        code.line("public List<RawTaggedField> unknownTaggedFields() { return unknownTaggedFields; }");
        code.line("");
    }

    // ---- read ----

    private void read(List<FieldSpec> fields) {
        code.line("@Override");
        code.open("public void read(ByteBuf buf, short version) {");
        code.line("boolean flexible = " + cond(message.flexibleVersions()) + ";");
        for (FieldSpec f : fields) {
            String present = regular(f);
            if (present.equals("false")) {
                continue;
            }
            openGuard(present);
            readField(f, "buf", "this." + camel(f.name()));
            code.close("}");
        }
        List<FieldSpec> tagged = taggedFields(fields);
        code.open("if (flexible) {");
        code.line("int taggedCount = Types.readTaggedFieldCount(buf);");
        code.open("for (int i = 0; i < taggedCount; i++) {");
        code.line("int tag = Types.readUnsignedVarint(buf);");
        code.line("ByteBuf data = Types.readTaggedFieldData(buf, tag);");
        code.open("switch (tag) {");
        for (FieldSpec f : tagged) {
            code.open("case " + f.tag() + ": {");
            code.open("if (" + cond(f.taggedVersions()) + ") {");
            code.line("ByteBuf outer = buf;");
            code.line("buf = data;");
            readField(f, "buf", "this." + camel(f.name()));
            code.line("buf = outer;");
            code.line("Types.requireConsumed(data, tag);");
            code.between("} else {");
            code.line("unknownTaggedFields = Types.addUnknownTaggedField(unknownTaggedFields, tag, data);");
            code.close("}");
            code.line("break;");
            code.close("}");
        }
        code.line("default:");
        code.line("    unknownTaggedFields = Types.addUnknownTaggedField(unknownTaggedFields, tag, data);");
        code.close("}");
        code.close("}");
        code.close("}");
        code.close("}");
        code.line("");
    }

    private void readField(FieldSpec f, String buf, String target) {
        String compact = compact(f);
        String nullable = cond(f.nullableVersions());
        if (f.isArray()) {
            String element = f.elementType();
            code.line("int count = Types.readArrayLength(buf, " + compact + ", " + nullable + ", " + quote(f.name()) + ");");
            code.open("if (count < 0) {");
            code.line(target + " = null;");
            code.between("} else {");
            code.line("ArrayList<" + JavaTypes.boxed(element) + "> list = new ArrayList<>(count);");
            code.open("for (int j = 0; j < count; j++) {");
            if (Spec.isPrimitive(element)) {
                code.line("list.add(" + JavaTypes.readPrimitive(element, compact, "false", f.name()) + ");");
            } else {
                code.line(element + " element = new " + element + "();");
                code.line("element.read(buf, version);");
                code.line("list.add(element);");
            }
            code.close("}");
            code.line(target + " = list;");
            code.close("}");
        } else if (f.isStruct()) {
            if (nullable.equals("false")) {
                code.line(target + " = new " + f.type() + "();");
                code.line(target + ".read(buf, version);");
            } else {
                code.open("if (Types.readStructPresent(buf, " + nullable + ", " + quote(f.name()) + ")) {");
                code.line(target + " = new " + f.type() + "();");
                code.line(target + ".read(buf, version);");
                code.between("} else {");
                code.line(target + " = null;");
                code.close("}");
            }
        } else {
            code.line(target + " = " + JavaTypes.readPrimitive(f.type(), compact, nullable, f.name()) + ";");
        }
    }

    // ---- write ----

    private void write(List<FieldSpec> fields) {
        code.line("@Override");
        code.open("public void write(MessageWriter writer, short version) {");
        code.line("ByteBuf out = writer.out();");
        code.line("boolean flexible = " + cond(message.flexibleVersions()) + ";");
        for (FieldSpec f : fields) {
            String present = regular(f);
            if (present.equals("false")) {
                continue;
            }
            openGuard(present);
            writeField(f, "out", "writer", "this." + camel(f.name()));
            code.close("}");
        }
        List<FieldSpec> tagged = taggedFields(fields);
        code.open("if (flexible) {");
        code.line("List<RawTaggedField> unknown = Types.sortedByTag(unknownTaggedFields);");
        code.line("int taggedCount = unknown.size();");
        for (FieldSpec f : tagged) {
            code.open("if (" + and(cond(f.taggedVersions()), nonDefault(f)) + ") {");
            code.line("taggedCount++;");
            code.close("}");
        }
        code.line("Types.writeUnsignedVarint(out, taggedCount);");
        int previous = 0;
        for (FieldSpec f : tagged) {
            code.line("Types.writeRawTaggedFields(out, unknown, " + previous + ", " + f.tag() + ");");
            code.open("if (" + and(cond(f.taggedVersions()), nonDefault(f)) + ") {");
            code.open("writer.writeTaggedField(" + f.tag() + ", tagWriter -> {");
            code.line("ByteBuf tagOut = tagWriter.out();");
            writeField(f, "tagOut", "tagWriter", "this." + camel(f.name()));
            code.close("});");
            code.close("}");
            previous = f.tag();
        }
        code.line("Types.writeRawTaggedFields(out, unknown, " + previous + ", Integer.MAX_VALUE);");
        code.close("}");
        code.close("}");
        code.line("");
    }

    /** Kafka writes a tagged field only when it differs from its default. */
    private String nonDefault(FieldSpec f) {
        String name = "this." + camel(f.name());
        String dflt = JavaTypes.defaultValue(f);
        boolean nullDefault = dflt.equals("null");
        boolean neverNull = f.nullableVersions().isEmpty();
        if (f.isArray()) {
            return nullDefault ? name + " != null" : neverNull ? "!" + name + ".isEmpty()"
                    : "(" + name + " == null || !" + name + ".isEmpty())";
        }
        switch (f.type()) {
            case "bytes":
                return nullDefault ? name + " != null" : neverNull ? name + ".length != 0"
                        : "(" + name + " == null || " + name + ".length != 0)";
            case "records":
                return name + " != null";
            case "bool":
                return dflt.equals("true") ? "!" + name : name;
            case "string":
            case "uuid":
                break;
            default:
                if (!f.isStruct()) {
                    return name + " != " + dflt;
                }
        }
        String compared = f.isStruct() ? defaultConstant(f) : dflt;
        return nullDefault ? name + " != null" : neverNull ? "!" + name + ".equals(" + compared + ")"
                : "(" + name + " == null || !" + name + ".equals(" + compared + "))";
    }

    private static String defaultConstant(FieldSpec f) {
        return "DEFAULT_" + f.name().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
    }

    private void writeField(FieldSpec f, String out, String writer, String value) {
        String compact = compact(f);
        String nullable = cond(f.nullableVersions());
        if (f.isArray()) {
            String element = f.elementType();
            code.line("Types.writeArrayLength(" + out + ", " + value + ", " + compact + ", " + nullable + ", " + quote(f.name()) + ");");
            code.open("if (" + value + " != null) {");
            code.open("for (" + JavaTypes.boxed(element) + " element : " + value + ") {");
            if (Spec.isPrimitive(element)) {
                code.line(JavaTypes.writePrimitive(element, out, "element", compact, "false", f.name()));
            } else {
                code.line("element.write(" + writer + ", version);");
                code.line(out + " = " + writer + ".out();");
            }
            code.close("}");
            code.close("}");
        } else if (f.isStruct()) {
            if (nullable.equals("false")) {
                code.line(value + ".write(" + writer + ", version);");
            } else {
                code.open("if (" + value + " == null) {");
                code.line(out + ".writeByte(-1);");
                code.between("} else {");
                code.line(out + ".writeByte(1);");
                code.line(value + ".write(" + writer + ", version);");
                code.close("}");
            }
            code.line(out + " = " + writer + ".out();");
        } else if (f.type().equals("records")) {
            code.open("if (" + value + " == null) {");
            code.line("Types.writeBytes(" + out + ", null, " + compact + ", " + nullable + ", " + quote(f.name()) + ");");
            code.between("} else {");
            code.line("Types.writeLength(" + out + ", " + value + ".sizeInBytes(), " + compact + ");");
            code.line(writer + ".writeRecords(" + value + ");");
            code.line(out + " = " + writer + ".out();");
            code.close("}");
        } else {
            code.line(JavaTypes.writePrimitive(f.type(), out, value, compact, nullable, f.name()));
        }
    }

    private static List<FieldSpec> taggedFields(List<FieldSpec> fields) {
        List<FieldSpec> tagged = new ArrayList<>();
        for (FieldSpec f : fields) {
            if (f.isTagged()) {
                tagged.add(f);
            }
        }
        tagged.sort(Comparator.comparingInt(FieldSpec::tag));
        return tagged;
    }

    // ---- equals, hashCode, toString ----

    private void equalsHashCodeToString(String className, List<FieldSpec> fields) {
        code.line("@Override");
        code.open("public boolean equals(Object o) {");
        code.open("if (!(o instanceof " + className + " other)) {");
        code.line("return false;");
        code.close("}");
        for (FieldSpec f : fields) {
            String n = camel(f.name());
            String differs;
            if (!f.isArray() && f.type().equals("float64")) {
                differs = "Double.compare(" + n + ", other." + n + ") != 0";
            } else if (!f.isArray() && JavaTypes.isJavaPrimitive(f.type())) {
                differs = n + " != other." + n;
            } else if (!f.isArray() && f.type().equals("bytes")) {
                differs = "!Arrays.equals(" + n + ", other." + n + ")";
            } else {
                differs = "!Objects.equals(" + n + ", other." + n + ")";
            }
            code.open("if (" + differs + ") {");
            code.line("return false;");
            code.close("}");
        }
        code.line("return unknownTaggedFields.equals(other.unknownTaggedFields);");
        code.close("}");
        code.line("");
        code.line("@Override");
        code.open("public int hashCode() {");
        code.line("int hash = 0;");
        for (FieldSpec f : fields) {
            String n = camel(f.name());
            String h = !f.isArray() && f.type().equals("bytes") ? "Arrays.hashCode(" + n + ")"
                    : !f.isArray() && JavaTypes.isJavaPrimitive(f.type()) ? JavaTypes.boxed(f.type()) + ".hashCode(" + n + ")"
                    : "Objects.hashCode(" + n + ")";
            code.line("hash = 31 * hash + " + h + ";");
        }
        code.line("return hash;");
        code.close("}");
        code.line("");
        code.line("@Override");
        code.open("public String toString() {");
        StringBuilder s = new StringBuilder("return \"" + className + "(\"");
        String sep = "";
        for (FieldSpec f : fields) {
            String n = camel(f.name());
            String v = !f.isArray() && f.type().equals("bytes") ? "Arrays.toString(" + n + ")" : n;
            s.append(" + \"").append(sep).append(n).append("=\" + ").append(v);
            sep = ", ";
        }
        s.append(" + \")\";");
        code.line(s.toString());
        code.close("}");
    }
}
