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
        return new ClusterView() {
            @Override
            public String clusterId() {
                return clusterId;
            }

            @Override
            public int localNodeId() {
                return self.id();
            }

            @Override
            public int controllerId() {
                return self.id();
            }

            @Override
            public List<Node> brokers() {
                return List.of(self);
            }
        };
    }
}
