package dev.holdport.admin.systemd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The receiving end of sd_notify, as systemd holds it: a bound Unix datagram socket, whose
 * {@link #address()} goes to holdport in {@code NOTIFY_SOCKET}. Reads never block; tests poll
 * {@link #received()} with a deadline. Public for dist's test of the packaged launcher (this
 * module's test-jar).
 */
public final class NotifySocket implements AutoCloseable {

    private interface ReceiverLibc extends Library {
        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] address, int addressLength);

        NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags);

        int close(int fd);
    }

    private static final int MSG_DONTWAIT = 0x40;
    private static final ReceiverLibc LIBC = Native.load("c", ReceiverLibc.class);

    private final int fd;
    private final String address;
    private final List<String> messages = new ArrayList<>();

    private NotifySocket(int fd, String address) {
        this.fd = fd;
        this.address = address;
    }

    /** Binds to {@code address}: an absolute path, or {@code @name} for the abstract namespace. */
    public static NotifySocket bind(String address) {
        byte[] sockaddr = SdNotify.socketAddress(address);
        if (sockaddr == null) {
            throw new IllegalArgumentException(address + " is not an absolute path or @name that fits a Unix socket address");
        }
        int fd = LIBC.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket() failed: errno " + Native.getLastError());
        }
        if (LIBC.bind(fd, sockaddr, sockaddr.length) != 0) {
            int errno = Native.getLastError();
            LIBC.close(fd);
            throw new IllegalStateException("bind(" + address + ") failed: errno " + errno);
        }
        return new NotifySocket(fd, address);
    }

    /** Binds to a socket file at {@code path} (absolute). */
    public static NotifySocket bind(Path path) {
        return bind(path.toAbsolutePath().toString());
    }

    /** The value for {@code NOTIFY_SOCKET}. */
    public String address() {
        return address;
    }

    /** Every datagram received so far, oldest first. */
    public synchronized List<String> received() {
        byte[] buffer = new byte[4096];
        while (true) {
            long length = LIBC.recv(fd, buffer, new NativeLong(buffer.length), MSG_DONTWAIT).longValue();
            if (length < 0) {
                return List.copyOf(messages); // EAGAIN: nothing more queued
            }
            messages.add(new String(buffer, 0, (int) length, StandardCharsets.UTF_8));
        }
    }

    /** True when some datagram received so far has {@code assignment} (like READY=1) as one of its lines. */
    public boolean hasReceived(String assignment) {
        return received().stream().anyMatch(message -> message.lines().anyMatch(assignment::equals));
    }

    @Override
    public void close() {
        LIBC.close(fd);
    }
}
