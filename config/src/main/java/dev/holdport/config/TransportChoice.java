package dev.holdport.config;

/** {@code holdport.transport}: which Netty transport the data plane uses. */
public enum TransportChoice {
    /** io_uring when the kernel and seccomp profile allow it, else NIO. */
    AUTO,
    IO_URING,
    NIO;

    /** The spelling used in the config file: {@code auto}, {@code io_uring}, {@code nio}. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
