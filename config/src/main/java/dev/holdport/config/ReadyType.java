package dev.holdport.config;

import java.util.Locale;

/** {@code ready.type}: how holdport decides that a slot's process is ready for traffic. */
public enum ReadyType {
    /** A TCP connect to the slot's address succeeds. */
    TCP,
    /** An HTTP GET of {@code ready.url} answers 2xx. */
    HTTP,
    /** {@code ready.command} exits 0. */
    EXEC;

    /** The spelling used in the config file: {@code tcp}, {@code http}, {@code exec}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
