package dev.runnel.server.net;

import io.netty.buffer.ByteBuf;

/**
 * Where the network layer hands each request frame: the plug point between sockets and request handling.
 *
 * <p>Called on the connection's event loop, one frame at a time in arrival order. The implementation may
 * answer at once or later from another thread; the network layer keeps responses in request order.
 */
public interface RequestDispatcher {
    /**
     * Handles one request frame: the request header and body, without the size prefix. Must not throw; a
     * request that cannot be handled ends its slot with {@link ResponseSlot#closeConnection()}.
     *
     * @param connection the client connection the frame arrived on
     * @param frame      takes ownership of: release it exactly once, when the request is done with it
     * @param slot       the request's place in the response order; must be ended exactly once
     */
    void dispatch(Connection connection, ByteBuf frame, ResponseSlot slot);

    /** Called on the event loop once the connection has closed, after its pending responses were dropped. */
    default void connectionClosed(Connection connection) {
    }
}
