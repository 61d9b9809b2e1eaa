package dev.runnel.server.cluster;

import java.util.List;

/** The cluster as this broker knows it: its id, the live brokers and the controller. */
public interface ClusterView {
    String clusterId();

    int localNodeId();

    int controllerId();

    /** Live brokers, ordered by id. */
    List<Node> brokers();

    /** A single broker that is its own controller. */
    static ClusterView single(String clusterId, Node self) {
        return single(clusterId, self.id(), () -> self);
    }

    /**
     * A single broker that is its own controller, whose advertised node may change (it is known for sure only
     * once the listeners are bound).
     */
    static ClusterView single(String clusterId, int nodeId, java.util.function.Supplier<Node> self) {
        return new ClusterView() {
            @Override
            public String clusterId() {
                return clusterId;
            }

            @Override
            public int localNodeId() {
                return nodeId;
            }

            @Override
            public int controllerId() {
                return nodeId;
            }

            @Override
            public List<Node> brokers() {
                return List.of(self.get());
            }
        };
    }
}
