package dev.runnel.wire.message;

import dev.runnel.generator.Spec.MessageSpec;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.Readable;

import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;

/** Reads and writes a message with kafka-clients' own generated classes. */
final class KafkaOracle {
    private KafkaOracle() {
    }

    static org.apache.kafka.common.protocol.Message read(MessageSpec spec, byte[] bytes, short version) throws Exception {
        try {
            return (org.apache.kafka.common.protocol.Message) SpecCatalog.kafkaClass(spec)
                    .getConstructor(Readable.class, short.class)
                    .newInstance(new ByteBufferAccessor(ByteBuffer.wrap(bytes)), version);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    static byte[] write(org.apache.kafka.common.protocol.Message message, short version) {
        ByteBuffer buffer = MessageUtil.toByteBufferAccessor(message, version).buffer();
        buffer.rewind();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** Kafka's normal form of {@code bytes}: what Kafka writes after reading them. */
    static byte[] roundTrip(MessageSpec spec, byte[] bytes, short version) throws Exception {
        return write(read(spec, bytes, version), version);
    }
}
