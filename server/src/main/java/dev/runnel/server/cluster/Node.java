package dev.runnel.server.cluster;

/** A broker as clients see it in Metadata: id, advertised host and port, rack (nullable). */
public record Node(int id, String host, int port, String rack) {
}
