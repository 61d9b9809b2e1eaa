package dev.runnel.wire.protocol;

import org.apache.kafka.common.errors.RetriableException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Our error table against Kafka's own {@code Errors} enum, in both directions, so omissions show up. */
class ErrorsTest {
    private static final org.apache.kafka.common.protocol.Errors[] KAFKA =
            org.apache.kafka.common.protocol.Errors.values();

    @Test
    void everyKafkaErrorHasTheSameNameCodeRetriabilityAndMessage() {
        for (org.apache.kafka.common.protocol.Errors kafka : KAFKA) {
            Errors ours = Errors.valueOf(kafka.name());
            assertEquals(kafka.code(), ours.code(), kafka.name());
            assertEquals(kafka.exception() instanceof RetriableException, ours.retriable(), kafka.name());
            assertEquals(kafka.message(), ours.message(), kafka.name());
            assertSame(ours, Errors.forCode(kafka.code()), kafka.name());
        }
    }

    @Test
    void ourTableHasNoErrorKafkaLacks() {
        Set<String> kafkaNames = Arrays.stream(KAFKA).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> ourNames = Arrays.stream(Errors.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(kafkaNames, ourNames);
        for (Errors ours : Errors.values()) {
            assertEquals(ours.name(), org.apache.kafka.common.protocol.Errors.forCode(ours.code()).name());
        }
    }

    @Test
    void unknownCodesMapToUnknownServerErrorLikeKafka() {
        for (short code : new short[] {Short.MIN_VALUE, -2, 134, 1000, Short.MAX_VALUE}) {
            assertEquals(org.apache.kafka.common.protocol.Errors.forCode(code).name(), Errors.forCode(code).name());
            assertSame(Errors.UNKNOWN_SERVER_ERROR, Errors.forCode(code));
        }
    }
}
