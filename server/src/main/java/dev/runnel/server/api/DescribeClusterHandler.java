package dev.runnel.server.api;

import dev.runnel.server.cluster.ClusterView;
import dev.runnel.server.cluster.Node;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DescribeClusterRequest;
import dev.runnel.wire.message.DescribeClusterResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeCluster v0–2 (KIP-700, KIP-919): cluster id, controller and live brokers as a broker listener answers.
 * A broker serves only the BROKERS endpoint type; asking it for controllers is a mismatch, as in Kafka.
 */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequest> {
    private static final byte BROKERS = 1;
    private static final byte CONTROLLERS = 2;

    private final ClusterView cluster;

    public DescribeClusterHandler(ClusterView cluster) {
        this.cluster = cluster;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DESCRIBE_CLUSTER;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeClusterRequest request) {
        byte type = request.endpointType();
        boolean v0 = context.apiVersion() == 0;
        if (type != BROKERS && type != CONTROLLERS) {
            return refuse(v0 ? Errors.INVALID_REQUEST : Errors.UNSUPPORTED_ENDPOINT_TYPE, "Unsupported endpoint type " + type);
        }
        if (type == CONTROLLERS) {
            return refuse(v0 ? Errors.INVALID_REQUEST : Errors.MISMATCHED_ENDPOINT_TYPE,
                    "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER");
        }
        List<Node> nodes = cluster.brokers();
        List<DescribeClusterResponse.DescribeClusterBroker> brokers = new ArrayList<>();
        boolean controllerListed = false;
        for (Node node : nodes) {
            brokers.add(new DescribeClusterResponse.DescribeClusterBroker()
                    .setBrokerId(node.id()).setHost(node.host()).setPort(node.port()).setRack(node.rack())
                    .setIsFenced(false));
            controllerListed |= node.id() == cluster.controllerId();
        }
        DescribeClusterResponse response = new DescribeClusterResponse()
                .setErrorCode(Errors.NONE.code())
                .setEndpointType(BROKERS)
                .setClusterId(cluster.clusterId())
                // Kafka answers -1 rather than name a controller the client cannot find among the brokers.
                .setControllerId(controllerListed ? cluster.controllerId() : -1)
                .setBrokers(brokers)
                .setClusterAuthorizedOperations(request.includeClusterAuthorizedOperations()
                        ? AclOperations.CLUSTER : AclOperations.NOT_REQUESTED);
        return CompletableFuture.completedFuture(response);
    }

    private static CompletableFuture<ApiMessage> refuse(Errors error, String message) {
        return CompletableFuture.completedFuture(new DescribeClusterResponse()
                .setErrorCode(error.code()).setErrorMessage(message));
    }
}
