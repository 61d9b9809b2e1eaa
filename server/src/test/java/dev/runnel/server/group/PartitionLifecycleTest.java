package dev.runnel.server.group;

import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetCommitResponse;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import dev.runnel.wire.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.runnel.server.group.GroupHarness.done;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Loading, unloading and recovering a coordinator partition. */
class PartitionLifecycleTest {
    private final GroupHarness h = new GroupHarness().loadAll();

    private CompletableFuture<Object> commit(String group, long offset) {
        return h.call(h.commit, 8, new OffsetCommitRequest().setGroupId(group).setTopics(new ArrayList<>(List.of(
                new OffsetCommitRequest.OffsetCommitRequestTopic().setName("t").setPartitions(new ArrayList<>(List.of(
                        new OffsetCommitRequest.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(offset))))))));
    }

    private long fetched(String group) {
        OffsetFetchResponse r = (OffsetFetchResponse) done(h.call(h.fetch, 8, new OffsetFetchRequest().setGroups(List.of(
                new OffsetFetchRequest.OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(
                        new OffsetFetchRequest.OffsetFetchRequestTopics().setName("t").setPartitionIndexes(List.of(0))))))));
        return r.groups().get(0).topics().get(0).partitions().get(0).committedOffset();
    }

    @Test
    void unloadingAnswersParkedRequestsWithNotCoordinator() {
        CompletableFuture<JoinGroupResponse> parked = h.joinNew("g");
        assertFalse(parked.isDone());
        int partition = h.coordinator.partitionFor("g");
        h.coordinator.unloadPartition(partition);
        assertEquals(Errors.NOT_COORDINATOR.code(), done(parked).errorCode());
        assertEquals(GroupCoordinator.PartitionState.NOT_COORDINATOR, h.coordinator.partitionState(partition));
        assertEquals(Errors.NOT_COORDINATOR.code(), done(h.join("g", "", "range")).errorCode());
        h.advance(10_000); // timers of the unloaded partition do nothing
        h.coordinator.loadPartition(partition).join();
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), done(h.join("g", "", "range")).errorCode());
    }

    @Test
    void failedOffsetAppendIsReportedAndTheStateIsRebuiltFromTheLog() {
        h.metadata.add("t", 1);
        assertEquals(0, ((OffsetCommitResponse) done(commit("g", 5))).topics().get(0).partitions().get(0).errorCode());
        h.log.holdAppends();
        CompletableFuture<Object> failing = commit("g", 6);
        h.log.failHeldAppends(new java.io.IOException("disk gone"));
        assertEquals(Errors.NOT_COORDINATOR.code(),
                ((OffsetCommitResponse) done(failing)).topics().get(0).partitions().get(0).errorCode());
        assertEquals(5, fetched("g"), "only what the log holds survives");
    }
}
