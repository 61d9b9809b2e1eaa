package dev.runnel.generator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model of one Kafka JSON message spec, shared by the generator and by tests that walk the schema
 * (random valid messages, coverage guards).
 */
public final class Spec {
    private Spec() {
    }

    /** A whole spec file: a request, response, header or data message. */
    public record MessageSpec(String name, String type, int apiKey, Versions validVersions,
                              Versions flexibleVersions, List<String> listeners, boolean latestVersionUnstable,
                              List<FieldSpec> fields, Map<String, List<FieldSpec>> commonStructs) {

        public boolean isApiMessage() {
            return type.equals("request") || type.equals("response");
        }

        /** The API name without the Request/Response suffix, e.g. {@code OffsetCommit}. */
        public String apiName() {
            return name.replaceFirst("(Request|Response)$", "");
        }
    }

    /**
     * One field. {@code type} is the spec's type string ({@code int32}, {@code []Topic}, {@code Topic});
     * {@code fields} holds the members of an inline struct, {@code null} when the struct is a common struct.
     */
    public record FieldSpec(String name, String type, Versions versions, Versions nullableVersions,
                            Versions taggedVersions, int tag, String defaultValue, Versions flexibleVersions,
                            String about, List<FieldSpec> fields) {

        public boolean isArray() {
            return type.startsWith("[]");
        }

        /** The element type of an array, or the type itself. */
        public String elementType() {
            return isArray() ? type.substring(2) : type;
        }

        public boolean isStruct() {
            return !isPrimitive(elementType());
        }

        public boolean isTagged() {
            return !taggedVersions.isEmpty();
        }
    }

    static final List<String> PRIMITIVES = List.of("bool", "int8", "int16", "uint16", "int32", "uint32",
            "int64", "float64", "string", "bytes", "records", "uuid");

    public static boolean isPrimitive(String type) {
        return PRIMITIVES.contains(type);
    }

    public static MessageSpec read(Path file) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(file));
        Versions valid = Versions.parse((String) json.get("validVersions"), Versions.NONE);
        Map<String, List<FieldSpec>> common = new LinkedHashMap<>();
        for (Object o : list(json.get("commonStructs"))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> struct = (Map<String, Object>) o;
            common.put((String) struct.get("name"), fields(struct.get("fields")));
        }
        List<String> listeners = new ArrayList<>();
        for (Object o : list(json.get("listeners"))) {
            listeners.add((String) o);
        }
        Object apiKey = json.get("apiKey");
        return new MessageSpec((String) json.get("name"), (String) json.get("type"),
                apiKey == null ? -1 : ((Long) apiKey).intValue(), valid,
                Versions.parse((String) json.get("flexibleVersions"), Versions.NONE), listeners,
                Boolean.TRUE.equals(json.get("latestVersionUnstable")), fields(json.get("fields")), common);
    }

    private static List<Object> list(Object o) {
        @SuppressWarnings("unchecked")
        List<Object> l = (List<Object>) o;
        return l == null ? List.of() : l;
    }

    private static List<FieldSpec> fields(Object o) {
        List<FieldSpec> result = new ArrayList<>();
        for (Object item : list(o)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> f = (Map<String, Object>) item;
            Versions versions = Versions.parse((String) f.get("versions"), Versions.NONE);
            Object tag = f.get("tag");
            Object dflt = f.get("default");
            result.add(new FieldSpec((String) f.get("name"), (String) f.get("type"), versions,
                    Versions.parse((String) f.get("nullableVersions"), Versions.NONE),
                    Versions.parse((String) f.get("taggedVersions"), Versions.NONE),
                    tag == null ? -1 : ((Long) tag).intValue(),
                    dflt == null ? null : dflt.toString(),
                    Versions.parse((String) f.get("flexibleVersions"), null),
                    (String) f.get("about"),
                    f.containsKey("fields") ? fields(f.get("fields")) : null));
        }
        return result;
    }
}
