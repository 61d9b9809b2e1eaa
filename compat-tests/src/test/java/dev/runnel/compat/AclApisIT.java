package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.CreateAclsResponse;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The ACL APIs of a broker without an authorizer, as Kafka 4.3 answers them when {@code authorizer.class.name} is
 * not set: DescribeAcls fails as a whole with SECURITY_DISABLED, CreateAcls and DeleteAcls fail every creation and
 * filter with it. The raw answers at every version are compared with the response Kafka's own request classes build
 * for that case ({@code getErrorResponse} with a SecurityDisabledException, which is what Kafka's AclApis sends).
 */
class AclApisIT {
    private static final AclBinding BINDING = new AclBinding(
            new ResourcePattern(ResourceType.TOPIC, "payments", PatternType.LITERAL),
            new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));

    @TempDir
    static Path dir;
    static RunningBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = RunningBroker.start(dir.resolve("data"));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void adminAclCallsFailWithSecurityDisabled() throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            assertSecurityDisabled("No Authorizer is configured on the broker",
                    () -> admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS));
            assertSecurityDisabled("No Authorizer is configured.",
                    () -> admin.createAcls(List.of(BINDING)).all().get(30, TimeUnit.SECONDS));
            assertSecurityDisabled("No Authorizer is configured.",
                    () -> admin.deleteAcls(List.of(BINDING.toFilter())).all().get(30, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @ValueSource(shorts = {1, 2, 3})
    void rawAnswersEqualKafkasAtEveryVersion(short version) throws Exception {
        DescribeAclsRequest describe = new DescribeAclsRequest.Builder(AclBindingFilter.ANY).build(version);
        DescribeAclsResponse described = (DescribeAclsResponse) RawRequests.send(broker.bootstrap(), describe);
        assertEquals(new DescribeAclsResponseData().setErrorCode(Errors.SECURITY_DISABLED.code())
                .setErrorMessage("No Authorizer is configured on the broker"), described.data());

        CreateAclsRequest create = new CreateAclsRequest.Builder(new CreateAclsRequestData().setCreations(List.of(
                CreateAclsRequest.aclCreation(BINDING), CreateAclsRequest.aclCreation(BINDING)))).build(version);
        CreateAclsResponse created = (CreateAclsResponse) RawRequests.send(broker.bootstrap(), create);
        assertEquals(((CreateAclsResponse) create.getErrorResponse(0,
                new SecurityDisabledException("No Authorizer is configured."))).data(), created.data());

        DeleteAclsRequest delete = new DeleteAclsRequest.Builder(new DeleteAclsRequestData().setFilters(List.of(
                DeleteAclsRequest.deleteAclsFilter(BINDING.toFilter()),
                DeleteAclsRequest.deleteAclsFilter(AclBindingFilter.ANY)))).build(version);
        DeleteAclsResponse deleted = (DeleteAclsResponse) RawRequests.send(broker.bootstrap(), delete);
        assertEquals(((DeleteAclsResponse) delete.getErrorResponse(0,
                new SecurityDisabledException("No Authorizer is configured."))).data(), deleted.data());
    }

    private static void assertSecurityDisabled(String message, org.junit.jupiter.api.function.Executable call) {
        ExecutionException e = assertThrows(ExecutionException.class, call);
        assertInstanceOf(SecurityDisabledException.class, e.getCause());
        assertEquals(message, e.getCause().getMessage());
    }
}
