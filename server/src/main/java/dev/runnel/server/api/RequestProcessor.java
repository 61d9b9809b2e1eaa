package dev.runnel.server.api;

import dev.runnel.server.net.Connection;
import dev.runnel.server.net.RequestDispatcher;
import dev.runnel.server.net.Response;
import dev.runnel.server.net.ResponseSlot;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.MessageWriter;
import dev.runnel.wire.protocol.Messages;
import dev.runnel.wire.protocol.ParsedRequestHeader;
import dev.runnel.wire.protocol.ProtocolException;
import dev.runnel.wire.protocol.Records;
import dev.runnel.wire.protocol.RequestHeaders;
import dev.runnel.wire.protocol.UnsupportedVersionException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Turns request frames into handler calls and handler results into response frames.
 *
 * <p>Per frame: read the header; an ApiVersions request at a version we do not know gets the KIP-511 v0
 * answer; any other unknown API or version, or a body that does not parse, closes the connection as Kafka
 * does, logged once with client id, API and correlation id. The frame stays owned here until the handler's
 * future completes (the request borrows it), then is released exactly once.
 *
 * <p>Responses are written as chunks: the size and header in one small buffer, body fields in buffers, and
 * each records section as its own chunk, file-backed sections as {@link FileRegion}s.
 */
public final class RequestProcessor implements RequestDispatcher {
    private static final Logger LOG = LogManager.getLogger(RequestProcessor.class);

    private final HandlerRegistry registry;
    private final ApiVersionsHandler apiVersions;
    private final Function<Records, FileRegion> fileRecords;

    /**
     * @param fileRecords turns a records section that is not a buffer (a log slice) into a file region
     *                    that owns the slice's lease
     */
    public RequestProcessor(HandlerRegistry registry, ApiVersionsHandler apiVersions, Function<Records, FileRegion> fileRecords) {
        this.registry = registry;
        this.apiVersions = apiVersions;
        this.fileRecords = fileRecords;
    }

    @Override
    public void dispatch(Connection connection, ByteBuf frame, ResponseSlot slot) {
        ParsedRequestHeader header;
        try {
            header = RequestHeaders.read(frame);
        } catch (UnsupportedVersionException e) {
            if (e.api() == ApiMessageType.API_VERSIONS && e.correlationId().isPresent()) {
                frame.release();
                send(connection, slot, ApiMessageType.API_VERSIONS, (short) 0, e.correlationId().getAsInt(),
                        apiVersions.unsupportedVersionResponse());
                return;
            }
            fail(connection, frame, slot, e.getMessage());
            return;
        } catch (ProtocolException e) {
            fail(connection, frame, slot, e.getMessage());
            return;
        }
        ApiHandler<ApiMessage> handler = registry.handler(header.api().apiKey);
        if (handler == null || !registry.supports(header.api().apiKey, header.apiVersion())) {
            fail(connection, frame, slot, describe(header) + " is not supported");
            return;
        }
        ApiMessage request = header.api().newRequest();
        try {
            Messages.read(request, frame, header.apiVersion());
        } catch (ProtocolException e) {
            fail(connection, frame, slot, describe(header) + ": " + e.getMessage());
            return;
        }
        RequestContext context = new RequestContext(header.api(), header.apiVersion(), header.correlationId(),
                header.clientId(), connection.remoteAddress());
        CompletableFuture<ApiMessage> result;
        try {
            result = handler.handle(context, request);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        if (!result.isDone() && header.api() == ApiMessageType.FETCH) {
            slot.leaveRequestQueue(); // a long poll waiting for data must not hold up other clients' requests
        }
        result.whenComplete((response, error) -> {
            try {
                if (error != null) {
                    LOG.error("{} failed; closing the connection", describe(header), error);
                    slot.closeConnection();
                } else if (response == null) {
                    slot.noResponse();
                } else {
                    send(connection, slot, header.api(), header.apiVersion(), header.correlationId(), response);
                }
            } finally {
                frame.release();
            }
        });
    }

    private void send(Connection connection, ResponseSlot slot, ApiMessageType api, short version, int correlationId,
                      ApiMessage response) {
        Response.Builder builder = Response.builder(connection.alloc());
        MessageWriter writer = MessageWriter.chunked(connection.alloc(), 256);
        List<Object> chunks;
        try {
            RequestHeaders.writeResponseHeader(builder.buffer(), api, version, correlationId);
            response.write(writer, version);
            chunks = writer.finish();
        } catch (RuntimeException e) {
            writer.discard();
            builder.release();
            LOG.error("cannot encode {} v{} response (correlation id {}); closing the connection", api.apiName, version, correlationId, e);
            slot.closeConnection();
            return;
        }
        for (Object chunk : chunks) {
            if (chunk instanceof ByteBuf buf) {
                builder.addBuffer(buf);
            } else {
                builder.addRegion(fileRecords.apply((Records) chunk));
            }
        }
        slot.complete(builder.build());
    }

    private static void fail(Connection connection, ByteBuf frame, ResponseSlot slot, String reason) {
        frame.release();
        LOG.warn("Closing connection from {}: {}", connection.remoteAddress(), reason);
        slot.closeConnection();
    }

    private static String describe(ParsedRequestHeader header) {
        return header.api().apiName + " v" + header.apiVersion() + " request from client '" + header.clientId()
                + "' (correlation id " + header.correlationId() + ")";
    }
}
