package dev.runnel.server.group;

import dev.runnel.server.api.RequestContext;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Who sent a group request: client id, client host as Kafka shows it ("/127.0.0.1"), and the API version. */
public record Requester(String clientId, String clientHost, short apiVersion) {
    public static Requester of(RequestContext context) {
        return new Requester(context.clientId() == null ? "" : context.clientId(), host(context.clientAddress()),
                context.apiVersion());
    }

    private static String host(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().toString() : "/" + inet.getHostString();
        }
        return address == null ? "" : address.toString();
    }
}
