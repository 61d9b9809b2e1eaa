package dev.runnel.compat;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatrixFileTest {
    @Test
    void renderedMatrixParsesBackToTheSameRowsAndVersions() {
        MatrixFile file = MatrixFile.empty();
        put(file, "kafkajs", "producer", CompatMatrix.PASS, "");
        put(file, "Kafka Streams", "eos", CompatMatrix.KNOWN_GAP, "needs transactions");
        put(file, "kcat (librdkafka)", "metadata", CompatMatrix.FAIL, "[2] lz4: a|b");
        file.versions().put("kafkajs", "kafkajs 2.2.4");

        MatrixFile parsed = MatrixFile.parse(file.render(null));

        assertEquals(3, parsed.rows().size());
        assertEquals(new MatrixFile.Row("Kafka Streams", "eos", CompatMatrix.KNOWN_GAP, "needs transactions"),
                parsed.rows().get(new MatrixFile.Key("Kafka Streams", "eos")));
        assertEquals(new MatrixFile.Row("kcat (librdkafka)", "metadata", CompatMatrix.FAIL, "[2] lz4: a/b"),
                parsed.rows().get(new MatrixFile.Key("kcat (librdkafka)", "metadata")));
        assertEquals(Map.of("kafkajs", "kafkajs 2.2.4"), parsed.versions());
    }

    @Test
    void rowsAreOrderedByClientThenScenarioAndNonPassingOnesAreListed() {
        MatrixFile file = MatrixFile.empty();
        put(file, "Kafka Connect", "file pipeline", CompatMatrix.PASS, "");
        put(file, "kcat (librdkafka)", "query", CompatMatrix.NOT_RUN, "kcat is not installed");
        put(file, "kcat (librdkafka)", "consume", CompatMatrix.PASS, "");

        String rendered = file.render(null);

        int consume = rendered.indexOf("| kcat (librdkafka) | consume |");
        int query = rendered.indexOf("| kcat (librdkafka) | query |");
        int connect = rendered.indexOf("| Kafka Connect | file pipeline |");
        assertTrue(consume > 0 && consume < query && query < connect, rendered);
        assertTrue(rendered.contains("- kcat (librdkafka), query (NOT RUN): kcat is not installed"), rendered);
    }

    private static void put(MatrixFile file, String client, String scenario, String result, String notes) {
        file.rows().put(new MatrixFile.Key(client, scenario), new MatrixFile.Row(client, scenario, result, notes));
    }
}
