package dev.runnel.wire.protocol;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.ApiVersionsRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Request and response headers against kafka-clients' {@code RequestHeader} and {@code ResponseHeader}, byte for byte. */
class RequestHeadersTest {
    private static final byte[] BODY = {7, 8, 9};
    private static final List<String> CLIENT_IDS = Arrays.asList(null, "", "console-producer", "ünïcødé-客户端");

    @Test
    void readsEveryHeaderKafkaWritesForEveryApiAndVersionAndStopsAtTheBody() {
        int correlationId = -5;
        for (ApiKeys key : ApiKeys.values()) {
            for (short version : key.allVersions()) {
                for (String clientId : CLIENT_IDS) {
                    RequestHeader kafka = new RequestHeader(key, version, clientId, correlationId++);
                    ByteBuf frame = frame(kafka.data(), kafka.headerVersion());
                    try {
                        ParsedRequestHeader ours = RequestHeaders.read(frame);
                        String context = key + " v" + version;
                        assertEquals(key.id, ours.api().apiKey, context);
                        assertEquals(version, ours.apiVersion(), context);
                        assertEquals(kafka.correlationId(), ours.correlationId(), context);
                        assertEquals(clientId, ours.clientId(), context);
                        assertEquals(kafka.headerVersion(), ours.api().requestHeaderVersion(version), context);
                        assertArrayEquals(BODY, ByteBufUtil.getBytes(frame), context);
                    } finally {
                        frame.release();
                    }
                }
            }
        }
    }

    @Test
    void keepsUnknownTaggedFieldsOfAFlexibleHeader() {
        RequestHeaderData data = new RequestHeaderData().setRequestApiKey(ApiKeys.METADATA.id)
                .setRequestApiVersion((short) 12).setCorrelationId(42).setClientId("c");
        data.unknownTaggedFields().add(new org.apache.kafka.common.protocol.types.RawTaggedField(3, new byte[] {1, 2}));
        ByteBuf frame = frame(data, (short) 2);
        try {
            ParsedRequestHeader ours = RequestHeaders.read(frame);
            assertEquals(List.of(new RawTaggedField(3, new byte[] {1, 2})), ours.header().unknownTaggedFields());
            assertArrayEquals(BODY, ByteBufUtil.getBytes(frame));
        } finally {
            frame.release();
        }
    }

    @Test
    void bodyAfterTheHeaderOfAKafkaSerializedRequestDecodes() {
        for (short version = 0; version <= ApiKeys.API_VERSIONS.latestVersion(); version++) {
            ApiVersionsRequestData body = new ApiVersionsRequestData()
                    .setClientSoftwareName("kafka-java").setClientSoftwareVersion("4.3.1");
            RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, version, "admin-1", 99);
            ByteBuffer bytes = new org.apache.kafka.common.requests.ApiVersionsRequest.Builder(body, version, version)
                    .build(version).serializeWithHeader(header);
            ByteBuf frame = Unpooled.wrappedBuffer(bytes);
            try {
                ParsedRequestHeader parsed = RequestHeaders.read(frame);
                assertSame(ApiMessageType.API_VERSIONS, parsed.api());
                assertEquals(99, parsed.correlationId());
                ApiVersionsRequest ours = Messages.read(new ApiVersionsRequest(), frame, version);
                assertEquals(version >= 3 ? "kafka-java" : "", ours.clientSoftwareName(), "v" + version);
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void writesTheResponseHeaderKafkaWritesForEveryApiAndVersion() {
        for (ApiKeys key : ApiKeys.values()) {
            ApiMessageType api = ApiMessageType.forKey(key.id);
            for (short version : key.allVersions()) {
                ResponseHeader kafka = new RequestHeader(key, version, "c", 0x01020304).toResponseHeader();
                byte[] expected = bytes(MessageUtil.toByteBufferAccessor(kafka.data(), kafka.headerVersion()).buffer());
                ByteBuf ours = Unpooled.buffer();
                try {
                    RequestHeaders.writeResponseHeader(ours, api, version, 0x01020304);
                    assertArrayEquals(expected, ByteBufUtil.getBytes(ours), key + " v" + version);
                    assertEquals(expected.length, RequestHeaders.responseHeaderSize(api, version), key + " v" + version);
                    ResponseHeader back = ResponseHeader.parse(ours.nioBuffer(), kafka.headerVersion());
                    assertEquals(0x01020304, back.correlationId());
                } finally {
                    ours.release();
                }
            }
        }
    }

    @Test
    void versionOutsideTheRangeKeepsCorrelationIdAndClientIdForKip511() {
        for (ApiMessageType api : ApiMessageType.values()) {
            for (int version : new int[] {api.lowestVersion - 1, api.highestVersion + 1}) {
                short v = (short) version;
                ByteBuf frame;
                if (Arrays.stream(ApiKeys.values()).anyMatch(k -> k.id == api.apiKey && k.hasValidVersion())) {
                    RequestHeaderData data = new RequestHeaderData().setRequestApiKey(api.apiKey)
                            .setRequestApiVersion(v).setCorrelationId(1234).setClientId("rdkafka");
                    frame = frame(data, ApiKeys.forId(api.apiKey).requestHeaderVersion(v));
                } else {
                    // an API Kafka 4 removed (LeaderAndIsr, ...): its spec has no versions, and Kafka cannot write it
                    frame = Unpooled.buffer().writeShort(api.apiKey).writeShort(v).writeInt(1234)
                            .writeShort(7).writeBytes("rdkafka".getBytes(StandardCharsets.UTF_8));
                }
                try {
                    int start = frame.readerIndex();
                    UnsupportedVersionException e = assertThrows(UnsupportedVersionException.class,
                            () -> RequestHeaders.read(frame), api + " v" + v);
                    assertSame(api, e.api());
                    assertEquals(v, e.apiVersion());
                    assertEquals(OptionalInt.of(1234), e.correlationId());
                    assertEquals("rdkafka", e.clientId());
                    assertEquals(start, frame.readerIndex(), "reader index untouched");
                } finally {
                    frame.release();
                }
            }
        }
    }

    @Test
    void unknownApiKeyKeepsTheCorrelationIdWhenPresent() {
        for (short key : new short[] {-1, 93, 1000, Short.MAX_VALUE}) {
            ByteBuf whole = Unpooled.buffer().writeShort(key).writeShort(0).writeInt(77).writeShort(-1);
            ByteBuf cut = Unpooled.buffer().writeShort(key).writeShort(0).writeShort(0);
            try {
                UnknownApiException e = assertThrows(UnknownApiException.class, () -> RequestHeaders.read(whole));
                assertEquals(key, e.apiKey());
                assertEquals(OptionalInt.of(77), e.correlationId());
                assertEquals(OptionalInt.empty(),
                        assertThrows(UnknownApiException.class, () -> RequestHeaders.read(cut)).correlationId());
            } finally {
                whole.release();
                cut.release();
            }
        }
    }

    @Test
    void everyTruncationOfAHeaderIsAProtocolExceptionAndLeavesTheFrameUnread() {
        for (short headerVersion = 1; headerVersion <= 2; headerVersion++) {
            short apiVersion = headerVersion == 2 ? (short) 12 : (short) 8;
            RequestHeaderData data = new RequestHeaderData().setRequestApiKey(ApiKeys.METADATA.id)
                    .setRequestApiVersion(apiVersion).setCorrelationId(5).setClientId("client");
            byte[] header = bytes(MessageUtil.toByteBufferAccessor(data, headerVersion).buffer());
            for (int length = 0; length < header.length; length++) {
                ByteBuf frame = Unpooled.wrappedBuffer(header, 0, length);
                try {
                    assertThrows(ProtocolException.class, () -> RequestHeaders.read(frame), "length " + length);
                    assertEquals(0, frame.readerIndex());
                } finally {
                    frame.release();
                }
            }
        }
    }

    /** Kafka's encoding of {@code header} followed by a small body, in a new buffer the caller owns. */
    private static ByteBuf frame(RequestHeaderData header, short headerVersion) {
        byte[] bytes = bytes(MessageUtil.toByteBufferAccessor(header, headerVersion).buffer());
        return Unpooled.buffer().writeBytes(bytes).writeBytes(BODY);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        copy.rewind();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
