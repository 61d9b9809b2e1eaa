package dev.runnel.wire.protocol;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.RequestHeader;
import io.netty.buffer.ByteBuf;

import java.util.OptionalInt;

/**
 * Reads request headers and writes response headers. A request frame (after its int32 size prefix) is
 * <pre>
 *   int16 request_api_key
 *   int16 request_api_version
 *   int32 correlation_id
 *   nullable string client_id        (int16 length, -1 = null)
 *   tagged fields                    (header v2 only: the API version is flexible)
 *   body
 * </pre>
 * and a response frame is {@code int32 correlation_id}, then an empty tagged-field section in header v1,
 * then the body. The header version depends on the API and version, so both are peeked before decoding.
 * Stateless; borrows every buffer it is given.
 */
public final class RequestHeaders {
    private static final int FIXED_PREFIX = 8; // api key, api version, correlation id: the same in every header version

    private RequestHeaders() {
    }

    /**
     * Decodes the header at the start of {@code frame} (borrowed) and leaves its reader index at the body;
     * on failure the reader index is left unchanged.
     *
     * @throws UnknownApiException when no spec defines the API key
     * @throws UnsupportedVersionException when the version is outside the API's range
     * @throws ProtocolException when the header itself is truncated or malformed
     */
    public static ParsedRequestHeader read(ByteBuf frame) {
        int start = frame.readerIndex();
        if (frame.readableBytes() < 4) {
            throw new ProtocolException("request frame of " + frame.readableBytes() + " bytes has no API key and version");
        }
        short apiKey = frame.getShort(start);
        short apiVersion = frame.getShort(start + 2);
        OptionalInt correlationId = frame.readableBytes() >= FIXED_PREFIX
                ? OptionalInt.of(frame.getInt(start + 4)) : OptionalInt.empty();
        ApiMessageType api = ApiMessageType.forKey(apiKey);
        if (api == null) {
            throw new UnknownApiException(apiKey, apiVersion, correlationId);
        }
        if (!api.isVersionValid(apiVersion)) {
            // decode what we can so the server can answer (KIP-511) and log the client id
            String clientId = null;
            try {
                clientId = decode(frame, api.requestHeaderVersion(apiVersion)).clientId();
            } catch (ProtocolException ignored) {
                // the correlation id alone is enough to answer
            } finally {
                frame.readerIndex(start);
            }
            throw new UnsupportedVersionException(api, apiVersion, correlationId, clientId);
        }
        RequestHeader header = decode(frame, api.requestHeaderVersion(apiVersion));
        return new ParsedRequestHeader(api, apiVersion, header.correlationId(), header.clientId(), header);
    }

    private static RequestHeader decode(ByteBuf frame, short headerVersion) {
        int start = frame.readerIndex();
        RequestHeader header = new RequestHeader();
        try {
            header.read(frame, headerVersion);
            return header;
        } catch (IndexOutOfBoundsException e) {
            frame.readerIndex(start);
            throw new ProtocolException("truncated request header v" + headerVersion, e);
        } catch (ProtocolException e) {
            frame.readerIndex(start);
            throw e;
        }
    }

    /** Writes the response header for a request of {@code api} at {@code apiVersion} into {@code out} (borrowed). */
    public static void writeResponseHeader(ByteBuf out, ApiMessageType api, short apiVersion, int correlationId) {
        out.writeInt(correlationId);
        if (api.responseHeaderVersion(apiVersion) >= 1) {
            out.writeByte(0); // no tagged fields
        }
    }

    /** Bytes {@link #writeResponseHeader} writes for this API and version. */
    public static int responseHeaderSize(ApiMessageType api, short apiVersion) {
        return api.responseHeaderVersion(apiVersion) >= 1 ? 5 : 4;
    }
}
