package dev.runnel.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * The last handler of a client connection: hands each frame from {@link KafkaFrameDecoder} to the
 * {@link RequestDispatcher} with a {@link ResponseSlot}, and applies backpressure.
 *
 * <p>Backpressure: reading stops (autoRead off) while the connection has {@code maxInFlight} requests
 * unanswered, or holds more than {@code maxQueuedBytes} of responses (waiting for order, or unsent because the
 * client reads slowly, which Netty reports as the channel becoming unwritable). It resumes once requests are
 * answered, held bytes fall below half the limit and the channel is writable again. Frames already decoded when
 * the limit is reached wait here, in order, and are dispatched as slots free up. Reading also stops while the
 * broker-wide {@link RequestQueueLimit} ({@code queued.max.requests}) has no permit for the next frame.
 *
 * <p>Idle connections ({@link IdleStateEvent}) are closed unless a request is in flight. On close, waiting frames
 * and responses are released. Event loop only; frames are owned here until dispatched.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LogManager.getLogger(ConnectionHandler.class);

    private final RequestDispatcher dispatcher;
    private final NetworkSettings settings;
    private final String listenerName;
    private final RequestQueueLimit queueLimit;
    private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();
    private Connection connection;
    private ResponseSequencer sequencer;
    private ChannelHandlerContext ctx;
    private boolean dispatching;
    private boolean closed;
    private boolean awaitingPermit;

    ConnectionHandler(RequestDispatcher dispatcher, NetworkSettings settings, String listenerName) {
        this(dispatcher, settings, listenerName, RequestQueueLimit.UNLIMITED);
    }

    ConnectionHandler(RequestDispatcher dispatcher, NetworkSettings settings, String listenerName,
                      RequestQueueLimit queueLimit) {
        this.dispatcher = dispatcher;
        this.settings = settings;
        this.listenerName = listenerName;
        this.queueLimit = queueLimit;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.connection = new Connection(ctx.channel(), listenerName);
        this.sequencer = new ResponseSequencer(ctx, this::onProgress);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf frame) || closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        waiting.addLast(frame);
        dispatchWaiting();
        updateReading();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateReading();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && sequencer.inFlight() == 0 && waiting.isEmpty()) {
            LOG.debug("Closing idle connection {}", connection);
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        sequencer.close();
        ByteBuf frame;
        while ((frame = waiting.pollFirst()) != null) {
            frame.release();
        }
        dispatcher.connectionClosed(connection);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("Closing connection {} after I/O error: {}", connection, cause.toString());
        } else {
            LOG.warn("Closing connection {} after unexpected error", connection, cause);
        }
        ctx.close();
    }

    private void onProgress() {
        dispatchWaiting();
        updateReading();
    }

    private void dispatchWaiting() {
        if (dispatching) {
            return; // a dispatcher answered synchronously; the outer loop continues
        }
        dispatching = true;
        try {
            while (!closed && !waiting.isEmpty() && sequencer.inFlight() < settings.maxInFlight()) {
                if (!queueLimit.tryAcquire()) {
                    if (!awaitingPermit) {
                        awaitingPermit = true;
                        queueLimit.awaitPermit(this::wakeUpOnEventLoop);
                    }
                    break;
                }
                ByteBuf frame = waiting.pollFirst();
                ResponseSlot slot = queueLimit == RequestQueueLimit.UNLIMITED ? sequencer.open()
                        : new PermitReturningSlot(sequencer.open(), queueLimit);
                try {
                    dispatcher.dispatch(connection, frame, slot);
                } catch (RuntimeException e) {
                    // Breaks the dispatcher's contract; the frame's fate is unknown, so only the connection is closed.
                    LOG.error("Dispatcher failed on connection {}; closing it", connection, e);
                    ctx.close();
                }
            }
        } finally {
            dispatching = false;
        }
    }

    private void wakeUpOnEventLoop() {
        try {
            ctx.executor().execute(() -> {
                awaitingPermit = false;
                onProgress();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the event loop is shutting down with the broker: nothing left to read
        }
    }

    private void updateReading() {
        if (closed) {
            return;
        }
        boolean autoRead = ctx.channel().config().isAutoRead();
        int pending = sequencer.inFlight() + waiting.size();
        long held = sequencer.heldBytes();
        boolean writable = ctx.channel().isWritable();
        if (autoRead && (pending >= settings.maxInFlight() || held > settings.maxQueuedBytes() || !writable
                || awaitingPermit)) {
            ctx.channel().config().setAutoRead(false);
        } else if (!autoRead && pending < settings.maxInFlight() && held <= settings.maxQueuedBytes() / 2 && writable
                && !awaitingPermit) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Returns the request's {@link RequestQueueLimit} permit when the dispatcher ends the slot (any thread). */
    private static final class PermitReturningSlot implements ResponseSlot {
        private final ResponseSlot slot;
        private final RequestQueueLimit limit;
        private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

        PermitReturningSlot(ResponseSlot slot, RequestQueueLimit limit) {
            this.slot = slot;
            this.limit = limit;
        }

        @Override
        public void complete(Response response) {
            returnPermit();
            slot.complete(response);
        }

        @Override
        public void noResponse() {
            returnPermit();
            slot.noResponse();
        }

        @Override
        public void closeConnection() {
            returnPermit();
            slot.closeConnection();
        }

        @Override
        public void leaveRequestQueue() {
            returnPermit();
        }

        private void returnPermit() {
            if (ended.compareAndSet(false, true)) {
                limit.release();
            }
        }
    }
}
