package dev.runnel.wire.protocol;

/** A top-level request or response body of one Kafka API. */
public interface ApiMessage extends Message {
    short apiKey();

    short lowestSupportedVersion();

    short highestSupportedVersion();
}
