package dev.holdport.dist;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The test's stand-in for systemd: a Unix datagram socket bound at a path, whose name goes to
 * holdport in {@code NOTIFY_SOCKET}. Reads never block; poll {@link #received()} with a deadline.
 */
final class NotifySocket implements AutoCloseable {

    private interface Libc extends Library {
        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] address, int addressLength);

        NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags);

        int close(int fd);
    }

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final Libc LIBC = Native.load("c", Libc.class);

    private final int fd;
    private final Path path;
    private final List<String> messages = new ArrayList<>();

    private NotifySocket(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    static NotifySocket bind(Path path) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= 108) {
            throw new IllegalArgumentException(path + " is too long for a Unix socket address");
        }
        // struct sockaddr_un: sa_family_t (native byte order), then the NUL-terminated path.
        byte[] address = new byte[2 + name.length + 1];
        address[ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 1] = AF_UNIX;
        System.arraycopy(name, 0, address, 2, name.length);

        int fd = LIBC.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket() failed: errno " + Native.getLastError());
        }
        if (LIBC.bind(fd, address, address.length) != 0) {
            int errno = Native.getLastError();
            LIBC.close(fd);
            throw new IllegalStateException("bind(" + path + ") failed: errno " + errno);
        }
        return new NotifySocket(fd, path);
    }

    /** The value for {@code NOTIFY_SOCKET}. */
    String address() {
        return path.toString();
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

    /** True when some datagram received so far has {@code assignment} (like READY=1) as one of its lines. */
    boolean hasReceived(String assignment) {
        return received().stream().anyMatch(message -> message.lines().anyMatch(assignment::equals));
    }

    @Override
    public void close() {
        LIBC.close(fd);
    }
}
