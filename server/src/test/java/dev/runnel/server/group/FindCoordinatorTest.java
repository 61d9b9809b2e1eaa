package dev.runnel.server.group;

import dev.runnel.server.api.FindCoordinatorHandler;
import dev.runnel.server.cluster.ClusterView;
import dev.runnel.server.cluster.Node;
import dev.runnel.wire.message.FindCoordinatorRequest;
import dev.runnel.wire.message.FindCoordinatorResponse;
import dev.runnel.wire.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.runnel.server.group.GroupHarness.done;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** FindCoordinator v0–6 and the group-to-partition mapping. */
class FindCoordinatorTest {
    private static final long SEED = Long.getLong("seed", System.nanoTime());
    private final GroupHarness h = new GroupHarness();
    private final Node self = new Node(1, "broker.local", 9092, null);
    private final FindCoordinatorHandler handler = new FindCoordinatorHandler(h.coordinator, ClusterView.single("c", self));

    @Test
    void groupPartitionIsKafkasAbsHashModuloPartitions() {
        Random random = new Random(SEED);
        for (int i = 0; i < 1000; i++) {
            String group = Long.toString(random.nextLong(), 36);
            assertEquals(Utils.abs(group.hashCode()) % GroupHarness.PARTITIONS, h.coordinator.partitionFor(group), "seed " + SEED);
        }
        assertEquals(Integer.MIN_VALUE, "polygenelubricants".hashCode());
        assertEquals(0, h.coordinator.partitionFor("polygenelubricants"));
    }

    @Test
    void answersThisBrokerOnceItHostsTheGroupsPartition() {
        String group = "my-group";
        FindCoordinatorResponse before = (FindCoordinatorResponse) done(h.call(handler, 3,
                new FindCoordinatorRequest().setKey(group).setKeyType((byte) 0)));
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), before.errorCode());
        assertEquals(-1, before.nodeId());

        h.coordinator.loadPartition(h.coordinator.partitionFor(group)).join();
        for (int v = 0; v <= 3; v++) {
            FindCoordinatorResponse r = (FindCoordinatorResponse) done(h.call(handler, v,
                    new FindCoordinatorRequest().setKey(group).setKeyType((byte) 0)));
            assertEquals(0, r.errorCode());
            assertEquals("NONE", r.errorMessage());
            assertEquals(1, r.nodeId());
            assertEquals("broker.local", r.host());
            assertEquals(9092, r.port());
        }
        for (int v = 4; v <= 6; v++) {
            FindCoordinatorResponse r = (FindCoordinatorResponse) done(h.call(handler, v,
                    new FindCoordinatorRequest().setKeyType((byte) 0).setCoordinatorKeys(List.of(group, "elsewhere-" + v))));
            assertEquals(group, r.coordinators().get(0).key());
            assertEquals(0, r.coordinators().get(0).errorCode());
            assertEquals(9092, r.coordinators().get(0).port());
            boolean otherLoaded = h.coordinator.partitionFor("elsewhere-" + v) == h.coordinator.partitionFor(group);
            assertEquals(otherLoaded ? 0 : Errors.COORDINATOR_NOT_AVAILABLE.code(), r.coordinators().get(1).errorCode());
        }
    }

    @Test
    void transactionAndShareCoordinatorsAreNotServedYet() {
        h.loadAll();
        FindCoordinatorResponse txn = (FindCoordinatorResponse) done(h.call(handler, 4,
                new FindCoordinatorRequest().setKeyType((byte) 1).setCoordinatorKeys(List.of("tx"))));
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), txn.coordinators().get(0).errorCode());
        FindCoordinatorResponse share = (FindCoordinatorResponse) done(h.call(handler, 5,
                new FindCoordinatorRequest().setKeyType((byte) 2).setCoordinatorKeys(List.of("g:topic:0"))));
        assertEquals(Errors.INVALID_REQUEST.code(), share.coordinators().get(0).errorCode());
        FindCoordinatorResponse bad = (FindCoordinatorResponse) done(h.call(handler, 2,
                new FindCoordinatorRequest().setKeyType((byte) 9).setKey("x")));
        assertEquals(Errors.INVALID_REQUEST.code(), bad.errorCode());
    }
}
