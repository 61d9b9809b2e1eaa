package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.group.Requester;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.LeaveGroupRequest;
import dev.runnel.wire.message.LeaveGroupResponse;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * LeaveGroup v0–5. v0–2 name one member and answer with one error; v3+ (KIP-345) leave in batches, by member
 * id or, for static members, by group instance id alone, with an error per member.
 */
public final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequest> {
    private final GroupCoordinator groups;

    public LeaveGroupHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.LEAVE_GROUP;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, LeaveGroupRequest request) {
        short version = context.apiVersion();
        LeaveGroupRequest normalized = version >= 3 ? request : new LeaveGroupRequest().setGroupId(request.groupId())
                .setMembers(List.of(new LeaveGroupRequest.MemberIdentity().setMemberId(request.memberId())));
        return groups.leaveGroup(Requester.of(context), normalized).thenApply(r -> {
            if (version >= 3) {
                return r;
            }
            short error = r.errorCode() != 0 || r.members().size() != 1 ? r.errorCode() : r.members().get(0).errorCode();
            return new LeaveGroupResponse().setErrorCode(error);
        });
    }
}
