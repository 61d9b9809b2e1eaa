package dev.runnel.server.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * Applies Kafka's connection quotas ({@link ConnectionQuotas}) to accepted sockets, across every listener.
 * At {@code max.connections} the listeners stop accepting, so new connections wait in the kernel's listen backlog
 * until one closes, as Kafka's acceptor waits for a connection slot. A connection from an address already at its
 * {@code max.connections.per.ip} (or override) is closed at once, never registered, and the client sees the
 * connection closed, as Kafka's acceptor does; refusals are logged without flooding ({@link RefusedConnectionLog}).
 * New limits ({@link #update}) apply to the next connection; when {@code max.connections} drops below the open
 * count, the longest-open connections past it are closed, as Kafka's processors close connections past it (Kafka
 * picks the least recently active).
 *
 * <p>Sits first in every listener's server channel pipeline and sees each accepted channel before Netty registers
 * it. Netty accepts in small batches, so a batch may carry channels past the limit: those are held, unregistered,
 * until a slot frees. Owning thread: the acceptor event loop (one thread for every listener); a connection's close
 * and {@link #update} are handed over to it.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LogManager.getLogger(ConnectionLimit.class);

    private final EventExecutor acceptor;
    private final ConnectionQuotas quotas;
    private final RefusedConnectionLog refusals;
    private final List<Channel> listeners = new ArrayList<>();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** Admitted and not yet closed, oldest first: the first closed when {@code max.connections} is lowered. */
    private final Set<Channel> admitted = new LinkedHashSet<>();

    private record Held(ChannelHandlerContext listener, Channel channel) {
    }

    /**
     * @param acceptor  the single event loop of every listener's server channel
     * @param nanoClock time for rate-limiting the refusal log
     */
    ConnectionLimit(ConnectionQuotas.Limits limits, EventExecutor acceptor, LongSupplier nanoClock) {
        this.quotas = new ConnectionQuotas(limits);
        this.acceptor = acceptor;
        this.refusals = new RefusedConnectionLog(nanoClock);
    }

    /** Connections counted now (accepted and not yet closed); acceptor thread, or a test once it settles. */
    int openConnections() {
        return quotas.open();
    }

    /** Connections counted now from one address; acceptor thread. */
    int openConnections(InetAddress address) {
        return quotas.open(address);
    }

    /**
     * Applies new limits on the acceptor loop; callable from any thread.
     *
     * @return done once they apply to every connection accepted from then on (failed once the acceptor stopped)
     */
    Future<?> update(ConnectionQuotas.Limits limits) {
        try {
            return acceptor.submit(() -> apply(limits));
        } catch (RejectedExecutionException e) {
            return acceptor.newFailedFuture(e); // the listeners are closed: nothing more is accepted
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        listeners.add(ctx.channel());
        if (!quotas.slotAvailable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        decide(ctx, (Channel) msg);
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

    private void decide(ChannelHandlerContext listener, Channel accepted) {
        InetAddress address = peerAddress(accepted);
        switch (quotas.admit(address)) {
            case ADMIT -> register(listener, accepted, address);
            case WAIT -> {
                held.addLast(new Held(listener, accepted));
                setAccepting(false);
            }
            case REFUSE -> {
                accepted.unsafe().closeForcibly(); // never registered: nothing else owns it
                String line = refusals.refused(address, quotas.limits().limitFor(address));
                if (line != null) {
                    LOG.info(line);
                }
            }
        }
    }

    private void register(ChannelHandlerContext listener, Channel accepted, InetAddress address) {
        admitted.add(accepted);
        accepted.closeFuture().addListener(f -> {
            try {
                acceptor.execute(() -> closed(accepted, address));
            } catch (RejectedExecutionException e) {
                // the broker is shutting down its listeners: nothing is accepted any more
            }
        });
        if (!quotas.slotAvailable()) {
            setAccepting(false);
        }
        listener.fireChannelRead(accepted); // on to Netty's acceptor, which registers it with an I/O loop
    }

    private void closed(Channel channel, InetAddress address) {
        admitted.remove(channel);
        quotas.release(address);
        admitHeld();
    }

    private void apply(ConnectionQuotas.Limits limits) {
        quotas.update(limits);
        int excess = quotas.excess();
        if (excess > 0) {
            LOG.info("Closing {} connections past max.connections {}", excess, limits.maxConnections());
            Iterator<Channel> oldest = admitted.iterator();
            for (int i = 0; i < excess && oldest.hasNext(); i++) {
                oldest.next().close(); // counted until its close reaches closed(), so a second update closes the same
            }
        }
        admitHeld();
    }

    /** Decides on held connections while slots are free, oldest first, then accepts again if a slot is left. */
    private void admitHeld() {
        while (quotas.slotAvailable() && !held.isEmpty()) {
            Held next = held.pollFirst();
            decide(next.listener(), next.channel());
        }
        setAccepting(quotas.slotAvailable());
    }

    private static InetAddress peerAddress(Channel accepted) {
        return accepted.remoteAddress() instanceof InetSocketAddress peer ? peer.getAddress() : null;
    }

    private void setAccepting(boolean accepting) {
        for (Channel listener : listeners) {
            if (listener.isOpen() && listener.config().isAutoRead() != accepting) {
                listener.config().setAutoRead(accepting);
            }
        }
    }
}
