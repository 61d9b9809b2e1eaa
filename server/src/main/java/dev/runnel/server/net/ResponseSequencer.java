package dev.runnel.server.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps one connection's responses in request order (Kafka clients match responses to requests by order).
 * Requests may complete on other threads and in any order; a response that arrives before an earlier one waits
 * here, counted in {@link #heldBytes()}, until every earlier slot has ended. A slot ended without a response
 * (acks=0 produce) is skipped. Each time slots end, every response now in order is written, then flushed once.
 *
 * <p>Threads: all state is confined to the channel's event loop. {@link ResponseSlot} methods may be called from
 * any thread and hop to the event loop. After {@link #close()} (connection gone), responses are released as they
 * arrive.
 */
final class ResponseSequencer {
    private final ChannelHandlerContext ctx;
    private final EventExecutor eventLoop;
    private final Runnable onProgress;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private long heldBytes;
    private boolean draining;
    private boolean closed;

    /**
     * @param ctx        the context responses are written through
     * @param onProgress runs on the event loop after slots have ended and responses were written
     */
    ResponseSequencer(ChannelHandlerContext ctx, Runnable onProgress) {
        this.ctx = ctx;
        this.eventLoop = ctx.executor();
        this.onProgress = onProgress;
    }

    /** Reserves the next place in the response order. Event loop only. */
    ResponseSlot open() {
        Slot slot = new Slot();
        if (closed) {
            slot.state = Slot.ENDED;
        } else {
            slots.addLast(slot);
        }
        return slot;
    }

    /** Requests whose slot has not been written or skipped yet. */
    int inFlight() {
        return slots.size();
    }

    /** Buffered bytes of responses complete but waiting behind an earlier slot. */
    long heldBytes() {
        return heldBytes;
    }

    /** Releases every waiting response; later completions are released on arrival. Event loop only. */
    void close() {
        closed = true;
        for (Slot slot : slots) {
            if (slot.response != null) {
                slot.response.release();
                slot.response = null;
            }
        }
        slots.clear();
        heldBytes = 0;
    }

    private void ended(Slot slot) {
        if (closed) {
            slot.releaseResponse();
            return;
        }
        if (slot.response != null) {
            heldBytes += slot.response.bufferedBytes();
        }
        drain();
        onProgress.run();
    }

    private void drain() {
        if (draining) {
            return; // a write inside the loop below ended another slot; the loop will reach it
        }
        draining = true;
        boolean wrote = false;
        try {
            while (!closed && !slots.isEmpty() && slots.peekFirst().state != Slot.OPEN) {
                Slot slot = slots.pollFirst();
                if (slot.response != null) {
                    heldBytes -= slot.response.bufferedBytes();
                    Response response = slot.response;
                    slot.response = null;
                    response.write(ctx);
                    wrote = true;
                }
                if (slot.closeAfter) {
                    ctx.flush();
                    wrote = false;
                    ctx.close();
                    close();
                }
            }
        } finally {
            draining = false;
        }
        if (wrote) {
            ctx.flush();
        }
    }

    private final class Slot implements ResponseSlot {
        static final int OPEN = 0;
        static final int ENDED = 1;

        private final AtomicBoolean claimed = new AtomicBoolean();
        private int state = OPEN; // event loop only
        private Response response; // event loop only once ended
        private boolean closeAfter;

        @Override
        public void complete(Response response) {
            end(response, false);
        }

        @Override
        public void noResponse() {
            end(null, false);
        }

        @Override
        public void closeConnection() {
            end(null, true);
        }

        private void end(Response result, boolean close) {
            if (!claimed.compareAndSet(false, true)) {
                if (result != null) {
                    result.release();
                }
                throw new IllegalStateException("Response slot already ended");
            }
            if (eventLoop.inEventLoop()) {
                onEventLoop(result, close);
                return;
            }
            try {
                eventLoop.execute(() -> onEventLoop(result, close));
            } catch (RejectedExecutionException e) {
                if (result != null) {
                    result.release(); // the event loop is shut down, so the connection is gone
                }
            }
        }

        private void onEventLoop(Response result, boolean close) {
            response = result;
            closeAfter = close;
            if (state == ENDED) {
                releaseResponse(); // opened after close()
                return;
            }
            state = ENDED;
            ended(this);
        }

        private void releaseResponse() {
            if (response != null) {
                response.release();
                response = null;
            }
        }
    }
}
