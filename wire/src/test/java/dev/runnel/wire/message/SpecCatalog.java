package dev.runnel.wire.message;

import dev.runnel.generator.MessageGenerator;
import dev.runnel.generator.Spec.MessageSpec;
import dev.runnel.wire.protocol.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** Kafka's message specs as unpacked by the build, and the classes generated for them (ours and Kafka's). */
final class SpecCatalog {
    static final Path SPEC_DIR = Path.of("target/kafka-message-specs/common/message");
    private static List<MessageSpec> specs;

    private SpecCatalog() {
    }

    static synchronized List<MessageSpec> all() {
        if (specs == null) {
            try {
                specs = MessageGenerator.readAll(SPEC_DIR);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return specs;
    }

    static MessageSpec byName(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    static Message newOurs(MessageSpec spec) {
        try {
            return (Message) Class.forName("dev.runnel.wire.message." + spec.name()).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no generated class for " + spec.name(), e);
        }
    }

    /** Kafka's generated class: requests, responses and headers carry a {@code Data} suffix. */
    static Class<?> kafkaClass(MessageSpec spec) throws ClassNotFoundException {
        boolean suffixed = List.of("request", "response", "header").contains(spec.type());
        return Class.forName("org.apache.kafka.common.message." + spec.name() + (suffixed ? "Data" : ""));
    }
}
