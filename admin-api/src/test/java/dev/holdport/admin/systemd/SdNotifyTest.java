package dev.holdport.admin.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdNotifyTest {

    @TempDir
    Path dir;

    @Test
    void sendsTheStateAsOneDatagramToASocketPath() {
        String path = dir.resolve("notify.sock").toString();
        try (NotifySocket systemd = NotifySocket.bind(path)) {
            assertThat(SdNotify.notify(path, "READY=1")).isTrue();

            await().atMost(Duration.ofSeconds(5)).until(() -> systemd.received().contains("READY=1"));
        }
    }

    @Test
    void sendsToAnAbstractSocketWhenTheAddressStartsWithAt() {
        String name = "@holdport-test-" + UUID.randomUUID();
        try (NotifySocket systemd = NotifySocket.bind(name)) {
            assertThat(SdNotify.notify(name, "STOPPING=1")).isTrue();

            await().atMost(Duration.ofSeconds(5)).until(() -> systemd.received().contains("STOPPING=1"));
        }
    }

    @Test
    void keepsSeveralLinesAndTheirOrderInOneDatagram() {
        String path = dir.resolve("notify.sock").toString();
        try (NotifySocket systemd = NotifySocket.bind(path)) {
            assertThat(SdNotify.notify(path, "READY=1\nSTATUS=serving 1 route")).isTrue();
            assertThat(SdNotify.notify(path, "STOPPING=1")).isTrue();

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> systemd.received().size() == 2);
            assertThat(systemd.received()).containsExactly("READY=1\nSTATUS=serving 1 route", "STOPPING=1");
        }
    }

    @Test
    void returnsFalseWhenNoServiceManagerAsked() {
        assertThat(SdNotify.notify(null, "READY=1")).isFalse();
        assertThat(SdNotify.notify("", "READY=1")).isFalse();
    }

    @Test
    void returnsFalseInsteadOfThrowingWhenNobodyListens() {
        assertThat(SdNotify.notify(dir.resolve("missing.sock").toString(), "READY=1")).isFalse();
        assertThat(SdNotify.notify("@holdport-nobody-" + UUID.randomUUID(), "READY=1")).isFalse();
    }

    @Test
    void returnsFalseForAddressesSystemdWouldNotGive() {
        assertThat(SdNotify.notify("relative/notify.sock", "READY=1")).isFalse();
        assertThat(SdNotify.notify("vsock:2:1234", "READY=1")).isFalse();
        assertThat(SdNotify.notify("/" + "x".repeat(200), "READY=1")).isFalse();
    }
}
