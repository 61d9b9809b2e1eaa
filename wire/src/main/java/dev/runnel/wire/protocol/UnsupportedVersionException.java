package dev.runnel.wire.protocol;

import dev.runnel.wire.message.ApiMessageType;

import java.util.OptionalInt;

/**
 * A request for a known API at a version outside the range the specs define. The correlation id is kept
 * when readable because an ApiVersions request at an unknown version must still be answered, with a v0
 * response carrying UNSUPPORTED_VERSION and the supported range, so the client can retry lower (KIP-511).
 */
public final class UnsupportedVersionException extends ProtocolException {
    private final ApiMessageType api;
    private final short apiVersion;
    private final OptionalInt correlationId;
    private final String clientId;

    public UnsupportedVersionException(ApiMessageType api, short apiVersion, OptionalInt correlationId, String clientId) {
        super(api.apiName + " version " + apiVersion + " is outside " + api.lowestVersion + "-" + api.highestVersion
                + " (correlation id " + (correlationId.isPresent() ? correlationId.getAsInt() : "unreadable") + ")");
        this.api = api;
        this.apiVersion = apiVersion;
        this.correlationId = correlationId;
        this.clientId = clientId;
    }

    public ApiMessageType api() {
        return api;
    }

    public short apiVersion() {
        return apiVersion;
    }

    /** The request's correlation id; empty when the frame ended before it. */
    public OptionalInt correlationId() {
        return correlationId;
    }

    /** The client id, or null when it was null on the wire or could not be decoded. */
    public String clientId() {
        return clientId;
    }
}
