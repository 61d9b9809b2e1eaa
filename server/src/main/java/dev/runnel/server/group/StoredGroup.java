package dev.runnel.server.group;

import java.util.List;

/**
 * A classic group as {@code GroupMetadataValue} stores it: protocol type ("" for a group without one), the
 * generation, the chosen protocol and the leader (null when empty), when the group last changed state (-1 when
 * unknown) and its members with their subscription and assignment bytes.
 */
public record StoredGroup(String protocolType, int generation, String protocol, String leader,
                          long currentStateTimestamp, List<Member> members) {
    public StoredGroup {
        protocolType = protocolType == null ? "" : protocolType;
        members = List.copyOf(members);
    }

    /** One member; {@code groupInstanceId} is null for a dynamic member. Byte arrays are not copied. */
    public record Member(String memberId, String groupInstanceId, String clientId, String clientHost,
                         int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }
}
