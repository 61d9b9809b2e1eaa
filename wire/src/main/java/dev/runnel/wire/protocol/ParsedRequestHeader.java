package dev.runnel.wire.protocol;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.RequestHeader;

/**
 * The decoded header of one request frame: which API and version the body is, and how to answer it.
 * Holds no buffer. {@code clientId} may be null (a nullable string on the wire).
 */
public record ParsedRequestHeader(ApiMessageType api, short apiVersion, int correlationId, String clientId,
                                  RequestHeader header) {

    /** The response header version to answer this request with. */
    public short responseHeaderVersion() {
        return api.responseHeaderVersion(apiVersion);
    }
}
