package dev.runnel.compat;

import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * Sends one request built with kafka-clients' own request classes over a plain socket and parses the answer with
 * them, for APIs the 4.x Admin no longer exposes (the legacy AlterConfigs). Every read is bounded by a timeout.
 */
final class RawRequests {
    private RawRequests() {
    }

    static AbstractResponse send(String bootstrap, AbstractRequest request) throws IOException {
        String[] hostPort = bootstrap.split(":");
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw-requests", 1);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 5_000);
            socket.setSoTimeout(15_000);
            return exchange(socket, request, header);
        }
    }

    /** Writes one request on an open socket and reads its response, both through kafka-clients' own classes. */
    static AbstractResponse exchange(Socket socket, AbstractRequest request, RequestHeader header) throws IOException {
        ByteBuffer frame = request.serializeWithHeader(header);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(frame.remaining());
        out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
    }
}
