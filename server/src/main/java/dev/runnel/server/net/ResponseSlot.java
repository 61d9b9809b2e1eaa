package dev.runnel.server.net;

/**
 * The place of one request in its connection's response order. The dispatcher ends every slot exactly once, from
 * any thread, with one of the three methods; responses leave in request order whatever order slots end in.
 * Ending a slot twice throws {@link IllegalStateException} (after releasing the second response).
 */
public interface ResponseSlot {
    /** Sends {@code response} once every earlier slot has ended; takes ownership of it. */
    void complete(Response response);

    /** Ends the slot with nothing to send, as for a produce with acks=0; later responses are not held up. */
    void noResponse();

    /**
     * Ends the slot without a response and closes the connection once every earlier response has been written,
     * as Kafka does after a failed authentication or an unparseable request.
     */
    void closeConnection();

    /**
     * The request stops counting toward {@code queued.max.requests}: it now waits for data (a fetch long-polling
     * in the purgatory), not for the broker, as in Kafka, where a parked request has left the request queue.
     */
    default void leaveRequestQueue() {
    }
}
