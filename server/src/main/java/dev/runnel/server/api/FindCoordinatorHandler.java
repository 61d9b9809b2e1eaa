package dev.runnel.server.api;

import dev.runnel.server.cluster.ClusterView;
import dev.runnel.server.cluster.Node;
import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.txn.TransactionCoordinator;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.FindCoordinatorRequest;
import dev.runnel.wire.message.FindCoordinatorResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * FindCoordinator v0–6: one key before v4, a batch of keys from v4 (KIP-699). A group's coordinator is this
 * broker when it hosts the group's {@code __consumer_offsets} partition, loading or loaded, as Kafka answers with
 * the partition leader; otherwise COORDINATOR_NOT_AVAILABLE. Transactional ids likewise with {@code
 * __transaction_state}.
 */
public final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequest> {
    private static final byte GROUP = 0;
    private static final byte TRANSACTION = 1;
    private static final byte SHARE = 2;
    private static final Node NO_NODE = new Node(-1, "", -1, null);

    private final GroupCoordinator groups;
    private final ClusterView cluster;
    private final Runnable startCoordinator;
    private final TransactionCoordinator transactions;
    private final Runnable startTransactionCoordinator;

    public FindCoordinatorHandler(GroupCoordinator groups, ClusterView cluster) {
        this(groups, cluster, () -> { });
    }

    public FindCoordinatorHandler(GroupCoordinator groups, ClusterView cluster, Runnable startCoordinator) {
        this(groups, cluster, startCoordinator, null, () -> { });
    }

    /**
     * @param startCoordinator asked, without waiting, to create and load {@code __consumer_offsets} when a group
     *                         is looked up before it exists: Kafka creates that topic on first use too, and the
     *                         client retries after COORDINATOR_NOT_AVAILABLE
     * @param transactions     the transaction coordinator, or null to answer transactional ids with
     *                         COORDINATOR_NOT_AVAILABLE
     * @param startTransactionCoordinator the same as {@code startCoordinator} for {@code __transaction_state}
     */
    public FindCoordinatorHandler(GroupCoordinator groups, ClusterView cluster, Runnable startCoordinator,
                                  TransactionCoordinator transactions, Runnable startTransactionCoordinator) {
        this.groups = groups;
        this.cluster = cluster;
        this.startCoordinator = startCoordinator;
        this.transactions = transactions;
        this.startTransactionCoordinator = startTransactionCoordinator;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.FIND_COORDINATOR;
    }

    private record Answer(Errors error, Node node) {
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, FindCoordinatorRequest request) {
        short version = context.apiVersion();
        byte keyType = request.keyType();
        boolean knownType = keyType == GROUP || keyType == TRANSACTION || keyType == SHARE;
        FindCoordinatorResponse response = new FindCoordinatorResponse();
        if (version < 4) {
            Answer a = knownType ? find(keyType, request.key(), version) : new Answer(Errors.INVALID_REQUEST, NO_NODE);
            return CompletableFuture.completedFuture(response.setErrorCode(a.error().code())
                    .setErrorMessage(a.error().message()).setNodeId(a.node().id()).setHost(a.node().host())
                    .setPort(a.node().port()));
        }
        List<FindCoordinatorResponse.Coordinator> coordinators = new ArrayList<>();
        for (String key : request.coordinatorKeys()) {
            Answer a = knownType ? find(keyType, key, version) : new Answer(Errors.INVALID_REQUEST, NO_NODE);
            FindCoordinatorResponse.Coordinator c = new FindCoordinatorResponse.Coordinator().setKey(key)
                    .setErrorCode(a.error().code()).setNodeId(a.node().id()).setHost(a.node().host())
                    .setPort(a.node().port());
            if (!knownType) {
                c.setErrorMessage(a.error().message()); // Kafka's whole-request error response carries messages
            }
            coordinators.add(c);
        }
        return CompletableFuture.completedFuture(response.setCoordinators(coordinators));
    }

    private Answer find(byte keyType, String key, short version) {
        if (keyType == SHARE && version < 6) {
            return new Answer(Errors.INVALID_REQUEST, NO_NODE);
        }
        if (keyType == TRANSACTION) {
            return findTransactionCoordinator(key);
        }
        if (keyType != GROUP) {
            return new Answer(Errors.COORDINATOR_NOT_AVAILABLE, NO_NODE);
        }
        GroupCoordinator.PartitionState state = groups.partitionState(groups.partitionFor(key));
        Node self = localNode();
        if (state == GroupCoordinator.PartitionState.NOT_COORDINATOR || self == null) {
            startCoordinator.run();
            return new Answer(Errors.COORDINATOR_NOT_AVAILABLE, NO_NODE);
        }
        return new Answer(Errors.NONE, self);
    }

    private Answer findTransactionCoordinator(String transactionalId) {
        if (transactions == null) {
            return new Answer(Errors.COORDINATOR_NOT_AVAILABLE, NO_NODE);
        }
        TransactionCoordinator.PartitionState state = transactions.partitionState(transactions.partitionFor(transactionalId));
        Node self = localNode();
        if (state == TransactionCoordinator.PartitionState.NOT_COORDINATOR || self == null) {
            startTransactionCoordinator.run();
            return new Answer(Errors.COORDINATOR_NOT_AVAILABLE, NO_NODE);
        }
        return new Answer(Errors.NONE, self);
    }

    private Node localNode() {
        for (Node n : cluster.brokers()) {
            if (n.id() == cluster.localNodeId()) {
                return n;
            }
        }
        return null;
    }
}
