package dev.holdport.admin.systemd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The receiving end of sd_notify, as systemd holds it: a bound Unix datagram socket.
 * Reads never block; tests poll {@link #received()} with a deadline.
 */
final class NotifySocket implements AutoCloseable {

    private interface ReceiverLibc extends Library {
        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] address, int addressLength);

        NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags);

        int close(int fd);
    }

    private static final int MSG_DONTWAIT = 0x40;
    private static final ReceiverLibc LIBC = Native.load("c", ReceiverLibc.class);

    private final int fd;
    private final List<String> messages = new ArrayList<>();

    private NotifySocket(int fd) {
        this.fd = fd;
    }

    /** Binds to {@code address}: an absolute path, or {@code @name} for the abstract namespace. */
    static NotifySocket bind(String address) {
        int fd = LIBC.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket() failed: errno " + Native.getLastError());
        }
        byte[] sockaddr = SdNotify.socketAddress(address);
        if (LIBC.bind(fd, sockaddr, sockaddr.length) != 0) {
            int errno = Native.getLastError();
            LIBC.close(fd);
            throw new IllegalStateException("bind(" + address + ") failed: errno " + errno);
        }
        return new NotifySocket(fd);
    }

    /** Every datagram received so far, oldest first. */
    synchronized List<String> received() {
        byte[] buffer = new byte[4096];
        while (true) {
            long length = LIBC.recv(fd, buffer, new NativeLong(buffer.length), MSG_DONTWAIT).longValue();
            if (length < 0) {
                return List.copyOf(messages); // EAGAIN: nothing more queued
            }
            messages.add(new String(buffer, 0, (int) length, StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        LIBC.close(fd);
    }
}
