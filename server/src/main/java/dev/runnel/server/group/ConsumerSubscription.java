package dev.runnel.server.group;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the topic list out of a "consumer" protocol subscription. Every version starts with int16 version,
 * then the v0 fields: topics as an int32-counted array of int16-length strings. Like Kafka, only that prefix
 * is read, so newer subscription versions work too.
 */
final class ConsumerSubscription {
    private ConsumerSubscription() {
    }

    /** The subscribed topics, or null when the bytes are not a consumer subscription. */
    static List<String> topics(byte[] subscription) {
        if (subscription == null) {
            return null;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(subscription);
            if (b.getShort() < 0) {
                return null;
            }
            int count = b.getInt();
            if (count < 0 || count > b.remaining() / 2) {
                return null;
            }
            List<String> topics = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = b.getShort();
                if (length < 0 || length > b.remaining()) {
                    return null;
                }
                byte[] name = new byte[length];
                b.get(name);
                topics.add(new String(name, StandardCharsets.UTF_8));
            }
            return topics;
        } catch (BufferUnderflowException e) {
            return null;
        }
    }
}
