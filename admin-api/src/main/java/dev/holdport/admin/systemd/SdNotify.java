package dev.holdport.admin.systemd;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the service manager (systemd, or anything speaking its protocol) about holdport's state:
 * {@code READY=1} once every listener is bound, {@code STOPPING=1} when shutdown begins.
 *
 * <p>The protocol is one datagram of {@code KEY=value} lines sent to the Unix datagram socket
 * named by {@code NOTIFY_SOCKET}: a file system path, or an abstract socket name when it starts
 * with {@code '@'}. Without {@code NOTIFY_SOCKET} (not started by systemd, or {@code Type=simple})
 * there is nobody to tell and nothing is sent.
 *
 * <p>Notification is best effort: a failure is logged and reported as {@code false}, never thrown,
 * because holdport serving traffic matters more than systemd hearing about it.
 */
public final class SdNotify {

    private static final Logger log = LoggerFactory.getLogger(SdNotify.class);

    private SdNotify() {
    }

    /**
     * Sends {@code state} (for example {@code "READY=1"}) to {@code $NOTIFY_SOCKET}.
     *
     * @return true when the datagram was sent; false when {@code NOTIFY_SOCKET} is unset or sending failed
     */
    public static boolean notify(String state) {
        return notify(System.getenv("NOTIFY_SOCKET"), state);
    }

    /** As {@link #notify(String)}, with the socket address given instead of read from the environment. */
    static boolean notify(String notifySocket, String state) {
        if (notifySocket == null || notifySocket.isEmpty()) {
            log.debug("NOTIFY_SOCKET is not set; not sending {}", state);
            return false;
        }
        try {
            byte[] address = socketAddress(notifySocket);
            if (address == null) {
                log.warn("NOTIFY_SOCKET={} is neither an absolute path nor an @abstract name, or is too long; not sending {}",
                        notifySocket, state);
                return false;
            }
            return send(Libc.load(), address, state.getBytes(StandardCharsets.UTF_8), notifySocket, state);
        } catch (RuntimeException | LinkageError e) {
            // JNA could not load (no native support, no writable temp dir): holdport runs on regardless.
            log.warn("Could not notify the service manager at {} of {}: {}", notifySocket, state, e.toString());
            return false;
        }
    }

    private static boolean send(Libc libc, byte[] address, byte[] message, String notifySocket, String state) {
        int fd = libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            log.warn("Could not open a socket to notify {} of {}: errno {}", notifySocket, state, Native.getLastError());
            return false;
        }
        try {
            long sent = libc.sendto(fd, message, new NativeLong(message.length), 0, address, address.length).longValue();
            if (sent != message.length) {
                log.warn("Could not notify {} of {}: errno {}", notifySocket, state, Native.getLastError());
                return false;
            }
            log.debug("Notified {} of {}", notifySocket, state);
            return true;
        } finally {
            libc.close(fd);
        }
    }

    /**
     * Builds a Linux {@code struct sockaddr_un}, cut to the length the kernel is given: the
     * family, then the path and its terminating NUL, or for an abstract name a leading NUL and
     * the name bytes exactly (abstract names are not NUL-terminated; every byte counts).
     *
     * @return the address bytes, or null when the address is not one systemd would use
     */
    static byte[] socketAddress(String notifySocket) {
        byte[] name;
        boolean isAbstract = notifySocket.startsWith("@");
        if (isAbstract) {
            name = notifySocket.substring(1).getBytes(StandardCharsets.UTF_8);
        } else if (notifySocket.startsWith("/")) {
            name = notifySocket.getBytes(StandardCharsets.UTF_8);
        } else {
            return null;
        }
        int pathBytes = name.length + 1; // the leading NUL (abstract) or the terminating NUL (path)
        if (pathBytes > Libc.SUN_PATH_LENGTH) {
            return null;
        }
        byte[] address = new byte[2 + pathBytes];
        // sa_family_t is an unsigned short in the machine's byte order.
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            address[0] = (byte) Libc.AF_UNIX;
        } else {
            address[1] = (byte) Libc.AF_UNIX;
        }
        System.arraycopy(name, 0, address, isAbstract ? 3 : 2, name.length);
        return address;
    }
}
