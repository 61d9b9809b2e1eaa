package dev.runnel.server.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Kafka's {@code max.connections}: a broker-wide bound on open client connections, across every listener. At the
 * limit the listeners stop accepting, so new connections wait in the kernel's listen backlog until one closes, as
 * Kafka's acceptor waits for a connection slot; none is refused by the broker itself.
 *
 * <p>Sits first in every listener's server channel pipeline and sees each accepted channel before Netty registers
 * it. Netty accepts in small batches, so a batch may carry channels past the limit: those are held, unregistered,
 * until a slot frees. Owning thread: the acceptor event loop (one thread for every listener); a connection's close
 * is handed back to it.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    private final int maxConnections;
    private final EventExecutor acceptor;
    private final List<Channel> listeners = new ArrayList<>();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private int open;

    private record Held(ChannelHandlerContext listener, Channel channel) {
    }

    /** @param acceptor the single event loop of every listener's server channel */
    ConnectionLimit(int maxConnections, EventExecutor acceptor) {
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max.connections " + maxConnections);
        }
        this.maxConnections = maxConnections;
        this.acceptor = acceptor;
    }

    /** Connections counted now (accepted and not yet closed); acceptor thread, or a test once it settles. */
    int openConnections() {
        return open;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        listeners.add(ctx.channel());
        if (open >= maxConnections) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel accepted = (Channel) msg;
        if (open >= maxConnections) {
            held.addLast(new Held(ctx, accepted));
            setAccepting(false);
        } else {
            admit(ctx, accepted);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        listeners.remove(ctx.channel());
        held.removeIf(h -> {
            if (h.listener() == ctx) {
                h.channel().unsafe().closeForcibly(); // never registered: nothing else owns it
                return true;
            }
            return false;
        });
        ctx.fireChannelInactive();
    }

    private void admit(ChannelHandlerContext listener, Channel accepted) {
        open++;
        accepted.closeFuture().addListener(f -> {
            try {
                acceptor.execute(this::closed);
            } catch (RejectedExecutionException e) {
                // the broker is shutting down its listeners: nothing is accepted any more
            }
        });
        if (open >= maxConnections) {
            setAccepting(false);
        }
        listener.fireChannelRead(accepted); // on to Netty's acceptor, which registers it with an I/O loop
    }

    private void closed() {
        open--;
        while (open < maxConnections && !held.isEmpty()) {
            Held next = held.pollFirst();
            admit(next.listener(), next.channel());
        }
        if (open < maxConnections) {
            setAccepting(true);
        }
    }

    private void setAccepting(boolean accepting) {
        for (Channel listener : listeners) {
            if (listener.isOpen() && listener.config().isAutoRead() != accepting) {
                listener.config().setAutoRead(accepting);
            }
        }
    }
}
