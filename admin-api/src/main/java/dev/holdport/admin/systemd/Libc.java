package dev.holdport.admin.systemd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * The few C library calls needed to send one datagram on a Unix socket (Linux only).
 *
 * <p>Java 17's {@code SocketChannel} speaks Unix <em>stream</em> sockets but not datagram ones,
 * and systemd's notification socket is {@code SOCK_DGRAM}. JNA is the smallest robust way to
 * reach {@code socket(2)}/{@code sendto(2)}: one jar, no event loop, native support for every
 * CPU architecture the JVM runs on (arm64 containers included), and full control over the
 * {@code sockaddr_un} bytes, which the abstract namespace ({@code @name}) needs. Netty's epoll
 * datagram channel would also work, but needs a native library per architecture and an event
 * loop just for this, and would put the epoll transport — deliberately not a data-plane
 * transport, see DESIGN.md — on the class path.
 */
interface Libc extends Library {

    int AF_UNIX = 1;
    int SOCK_DGRAM = 2;
    /** Close the socket in children forked while it is open (slot start commands). */
    int SOCK_CLOEXEC = 0x80000;
    /** Length of {@code sun_path} in Linux's {@code struct sockaddr_un}. */
    int SUN_PATH_LENGTH = 108;

    /** Loaded on first use, so a JVM that never sees NOTIFY_SOCKET never loads native code. */
    static Libc load() {
        return Native.load("c", Libc.class);
    }

    int socket(int domain, int type, int protocol);

    /** {@code size_t} and {@code ssize_t} are C {@code long}s on Linux, hence NativeLong. */
    NativeLong sendto(int fd, byte[] buffer, NativeLong length, int flags, byte[] address, int addressLength);

    int close(int fd);
}
