package dev.runnel.server.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.net.SocketAddress;

/**
 * The dispatcher's view of one client connection: where it came from, which listener accepted it, and the
 * allocator and event loop to use for its responses. Responses are sent through {@link ResponseSlot}s, never by
 * writing to the channel directly. Safe to use from any thread.
 */
public final class Connection {
    private final Channel channel;
    private final String listenerName;

    Connection(Channel channel, String listenerName) {
        this.channel = channel;
        this.listenerName = listenerName;
    }

    /** The name of the listener that accepted the connection, such as {@code PLAINTEXT}. */
    public String listenerName() {
        return listenerName;
    }

    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    public SocketAddress localAddress() {
        return channel.localAddress();
    }

    /** The allocator to build this connection's responses with. */
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** The thread that does this connection's I/O; work that is cheap and in memory can finish here. */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** The channel, for per-connection attributes (client id, authentication state). Do not write to it. */
    public Channel channel() {
        return channel;
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Closes the connection at once, dropping responses not yet written. */
    public void close() {
        channel.close();
    }

    @Override
    public String toString() {
        return listenerName + " " + channel.remoteAddress() + " -> " + channel.localAddress();
    }
}
