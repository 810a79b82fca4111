package dev.holdport.proxy;

import dev.holdport.config.ProxyProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection joined to one backend connection. Both channels live on the same event
 * loop, so every method here runs on that one thread and needs no synchronisation.
 *
 * <p>Reads are driven by writability: a side is read again only when the other side has taken
 * everything already read (its outbound buffer is below the high-water mark). Memory per relay
 * is therefore bounded by one read buffer plus the write-buffer high-water mark per direction,
 * whatever the peers do.
 *
 * <p>Ends of streams are kept distinct: a FIN from one side (input shutdown) becomes
 * {@code shutdownOutput} on the other once all data before it is written, and the relay ends when
 * both directions have ended; an error (typically a reset) on one side resets the other
 * ({@code SO_LINGER 0}) rather than turning it into a polite FIN.
 */
final class Relay {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final Route route;
    private final Slot slot;
    final Channel client;
    final Channel backend;

    /** Set once we have shut that side's output after the other side's FIN: a direction has ended. */
    private boolean clientOutputShut;
    private boolean backendOutputShut;
    private boolean clientInputEnded;
    private boolean backendInputEnded;
    private boolean ended;
    /** Sockets not closed yet, counted down by {@link #closed} (both channels' events run on this relay's loop). */
    private int openSides = 2;

    Relay(Route route, Slot slot, Channel client, Channel backend) {
        this.route = route;
        this.slot = slot;
        this.client = client;
        this.backend = backend;
    }

    /** Starts both directions; {@code early} is what the client sent before the backend was there. */
    void start(ByteBuf early, boolean clientInputAlreadyEnded) {
        ProxyProtocol proxyProtocol = route.config.backend().proxyProtocol();
        if (proxyProtocol != ProxyProtocol.OFF) {
            ProxyProtocolHeader.write(proxyProtocol, client, backend);
        }
        if (early != null) {
            route.counters.bytesFromClients.add(early.readableBytes());
            backend.write(early, backend.voidPromise());
        }
        backend.flush();
        backend.read();
        if (clientInputAlreadyEnded) {
            inputEnded(client);
        } else if (backend.isWritable()) {
            client.read();
        }
    }

    private Channel other(Channel side) {
        return side == client ? backend : client;
    }

    void read(Channel from, Object msg) {
        if (ended) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        int bytes = msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
        (from == client ? route.counters.bytesFromClients : route.counters.bytesToClients).add(bytes);
        // A failed write is fired as exceptionCaught in the target's pipeline, which aborts the relay.
        Channel to = other(from);
        to.write(msg, to.voidPromise());
    }

    void readComplete(Channel from) {
        if (ended) {
            return;
        }
        Channel to = other(from);
        to.flush();
        if (to.isWritable() && !hasInputEnded(from)) {
            from.read();
        }
    }

    /** The other side drained below its low-water mark: read more from the side feeding it. */
    void writabilityChanged(Channel side) {
        if (ended || !side.isWritable()) {
            return;
        }
        Channel feeder = other(side);
        if (!hasInputEnded(feeder)) {
            feeder.read();
        }
    }

    private boolean hasInputEnded(Channel side) {
        return side == client ? clientInputEnded : backendInputEnded;
    }

    /** {@code from} sent FIN: pass it on after everything it sent before. */
    void inputEnded(Channel from) {
        if (ended || hasInputEnded(from)) {
            return;
        }
        if (from == client) {
            clientInputEnded = true;
        } else {
            backendInputEnded = true;
        }
        Channel to = other(from);
        if (hasInputEnded(to)) {
            // Both sides have sent FIN: nothing more can come from either. Closing each once its
            // queued bytes are written sends the FIN that a shutdownOutput would (and no RST: no
            // unread input is left), without the extra shutdown syscall.
            end();
            allWritten(to).addListener(ChannelFutureListener.CLOSE);
            allWritten(from).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        allWritten(to).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() || ended) {
                return; // a failed write already aborted the relay
            }
            if (shutOutputDirectly(to)) {
                if (!ended) {
                    outputShut(to);
                }
            } else {
                // Netty builds an exception, stack trace and all, for every shutdownOutput. Walking
                // this deep completion stack was the largest single cost of a short connection;
                // from a task of its own the stack is short.
                to.eventLoop().execute(() -> shutOutput(to));
            }
        });
    }

    /**
     * Sends the FIN with {@code shutdown(SHUT_WR)} on the channel's own socket object, when the
     * transport has one (io_uring): the same syscall {@code shutdownOutput} makes, and the channel
     * sees it ({@code isOutputShutdown()} reads that socket's state), without the
     * {@code ChannelOutputShutdownException} Netty builds to fail writes still queued. None are:
     * {@link #allWritten} found (or waited until) everything queued was written, and
     * the other side's input has ended, so nothing more will be written. Returns false when the
     * channel's socket is not reachable this way (NIO), leaving it to {@link #shutOutput}. A
     * failed call (the peer reset meanwhile) fails the relay: the socket already counts its
     * output as shut, so Netty's path would not even try again.
     */
    private boolean shutOutputDirectly(Channel to) {
        if (!(to instanceof UnixChannel unix) || !(unix.fd() instanceof Socket socket)) {
            return false;
        }
        try {
            socket.shutdown(false, true);
        } catch (IOException e) {
            failed(to, e);
            return true;
        }
        // Nothing can be written to `to` any more, so its own FIN may simply close it
        // (channelInactive ends the relay) instead of Netty shutting its input first.
        to.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        return true;
    }

    private void shutOutput(Channel to) {
        if (ended) {
            return;
        }
        ((DuplexChannel) to).shutdownOutput().addListener((ChannelFutureListener) s -> {
            if (ended) {
                return; // closed meanwhile: the relay is over already
            }
            // As in shutOutputDirectly: `to`'s own FIN may now simply close it.
            to.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
            outputShut(to);
        });
    }

    private void outputShut(Channel side) {
        if (side == client) {
            clientOutputShut = true;
        } else {
            backendOutputShut = true;
        }
        if (clientOutputShut && backendOutputShut) {
            end();
            client.close();
            backend.close();
        }
    }

    /** An error on {@code side} (typically a reset): reset the other side too. */
    void failed(Channel side, Throwable cause) {
        if (ended) {
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("route {} slot {}: {} failed ({}); resetting the {}", route.name(), slot.name(),
                    side == client ? "client" : "backend", cause.toString(), side == client ? "backend" : "client");
        }
        end();
        reset(other(side));
        side.close();
    }

    /**
     * {@code side}'s socket is closed (its {@code channelInactive}, once per side). If the relay
     * had not ended, the side closed without FIN or error reaching us first: close the other once
     * it has everything.
     */
    void closed(Channel side) {
        openSides--;
        if (ended) {
            finishedIfClosed();
            return;
        }
        end();
        allWritten(other(side)).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Completes once everything written to {@code channel} so far has gone out. With nothing
     * pending that is now; otherwise an empty write is queued behind the rest and completes after
     * it. The check matters per connection: io_uring sends even an empty buffer (a zero-length
     * {@code SEND}), and to a side whose output is already shut that send fails with
     * {@code EPIPE}, for which Netty builds an exception.
     */
    private static ChannelFuture allWritten(Channel channel) {
        // isEmpty() counts flushed writes not yet completed; the byte count includes unflushed ones.
        // No buffer at all: the channel is closed, or its output shut by Netty's shutdownOutput
        // (NIO); the empty write then fails, which the callers treat as they always did.
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        if (pending != null && pending.isEmpty() && pending.totalPendingWriteBytes() == 0) {
            return channel.newSucceededFuture();
        }
        return channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
    }

    /** holdport is shutting down and the drain time is over: also a relay still finishing is cut. */
    void abort() {
        if (!ended) {
            end();
        }
        client.close();
        backend.close();
    }

    /**
     * Nothing more will be read from either side. The slot stops counting the relay (a drain
     * need not wait: the backend has sent its last byte or will get none), but the route counts it
     * as finishing until both sockets are closed: until then it may still be writing what one
     * side sent before its FIN or close to the other, and a shutdown must wait for that too.
     */
    private void end() {
        ended = true;
        // Finishing before the slot lets go: shutdown (another thread) reads the slots first and
        // the finishing count last, so it sees the relay in at least one of them.
        route.relayFinishing();
        slot.live.decrement();
        finishedIfClosed();
    }

    /** Once ended with both sockets closed, the relay is done: also for shutdown. */
    private void finishedIfClosed() {
        if (openSides == 0) {
            route.relayEnded(this);
        }
    }

    static void reset(Channel channel) {
        if (channel.isActive()) {
            try {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException e) {
                // The socket may already be gone; closing is all that is left to do.
            }
        }
        channel.close();
    }
}
