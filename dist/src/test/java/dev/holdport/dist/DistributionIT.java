package dev.holdport.dist;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.admin.systemd.NotifySocket;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.FreePort;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The distribution archive as a user meets it: unpacked into a folder whose path has a space,
 * started through bin/holdport, with java found through JAVA_HOME or through PATH, stopped
 * with SIGTERM — and watched over NOTIFY_SOCKET the way systemd watches it.
 */
class DistributionIT {

    /** JVM start-up on a busy 2-core machine can be slow; nothing here waits this long when all is well. */
    private static final Duration PROCESS_DEADLINE = Duration.ofSeconds(90);
    /** Small and quick to start; passing them also proves the launcher forwards both variables. */
    private static final String JAVA_OPTS = "-Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
    /** The same without a collector: the launcher's default collector applies. */
    private static final String JAVA_OPTS_DEFAULT_GC = "-Xmx96m -XX:TieredStopAtLevel=1";
    /** Not under "holdport.": system properties there override the config file. */
    private static final String HOLDPORT_OPTS = "-Dlaunched.by=bin-holdport";

    private static UnpackedDistribution dist;

    @TempDir
    Path tmp;

    @BeforeAll
    static void unpack() throws Exception {
        dist = UnpackedDistribution.unpack();
    }

    @AfterAll
    static void removeUnpacked() throws IOException {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    void archiveHoldsTheLauncherJarConfigUnitReadmeAndLicense() throws IOException {
        Path home = dist.home();
        assertThat(home.toString()).contains(" ");
        assertThat(Files.getPosixFilePermissions(home.resolve("bin/holdport")))
                .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE);
        assertThat(home.resolve("conf/holdport.conf")).isRegularFile();
        assertThat(home.resolve("README")).isRegularFile();
        assertThat(home.resolve("LICENSE")).content(UTF_8).contains("Apache License", "Version 2.0");
        assertThat(home.resolve("systemd/holdport.service")).content(UTF_8)
                .contains("Type=notify", "NotifyAccess=main", "Restart=on-failure", "User=holdport",
                        "AmbientCapabilities=CAP_NET_BIND_SERVICE", "NoNewPrivileges=yes",
                        "ProtectSystem=strict", "StateDirectory=holdport", "KillSignal=SIGTERM")
                .doesNotContainPattern("(?m)^ExecReload=");

        // lib/holdport.jar is the runnable shaded jar, not admin-api's thin artifact.
        try (JarFile jar = new JarFile(home.resolve("lib/holdport.jar").toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("dev.holdport.admin.Main");
            assertThat(jar.getEntry("dev/holdport/admin/Main.class")).isNotNull();
            assertThat(jar.getEntry("io/netty/channel/Channel.class")).isNotNull();
        }
    }

    @Test
    void checkConfigAcceptsTheExampleConfig() throws Exception {
        Finished check = runToEnd(dist.launcher(), List.of("check-config", "--config", "conf/holdport.conf"), env -> {});

        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void checkConfigAcceptsTheDockerConfig() throws Exception {
        Path dockerConfig = Path.of(UnpackedDistribution.requiredProperty("holdport.docker.dir"), "holdport.conf");

        // In a container the admin API listens on 0.0.0.0, which needs a token: compose passes one.
        Finished check = runToEnd(dist.launcher(), List.of("check-config", "--config", dockerConfig.toString()),
                env -> env.put("HOLDPORT_ADMIN_TOKEN", "test-token"));

        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void checkConfigFailureReachesTheCallerAsANonZeroExit() throws Exception {
        Finished check = runToEnd(dist.launcher(), List.of("check-config", "--config", "conf/no-such-file.conf"), env -> {});

        assertThat(check.exitCode()).as(check.output()).isNotZero();
        assertThat(check.output()).contains("no-such-file.conf");
    }

    @Test
    void launcherSaysHowToFixAMissingJava() throws Exception {
        Finished run = runToEnd(dist.launcher(), List.of("run"), env -> {
            env.remove("JAVA_HOME");
            env.put("PATH", tmp.toString()); // an empty directory: no java anywhere
        });

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).contains("cannot find java", "JAVA_HOME", "PATH");
    }

    @Test
    void launcherRejectsAJavaHomeWithoutJava() throws Exception {
        Finished run = runToEnd(dist.launcher(), List.of("run"), env -> env.put("JAVA_HOME", tmp.toString()));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).contains("JAVA_HOME is '" + tmp + "'", "not an executable");
    }

    /** How the launcher is reached and how it finds java. */
    enum Launch {
        /** bin/holdport itself, JAVA_HOME set (PATH holds no java of its own choosing). */
        DIRECT_WITH_JAVA_HOME,
        /** Through a chain of two symlinks elsewhere, JAVA_HOME unset, java found on PATH. */
        SYMLINK_WITH_JAVA_ON_PATH
    }

    @ParameterizedTest
    @EnumSource(Launch.class)
    void runRelaysAfterReadyAndExitsZeroOnSigterm(Launch launch) throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        Path work = dist.scratch("run " + launch.name().toLowerCase());
        Path launcher = launcherFor(launch, work);
        int publicPort = FreePort.pick();
        int adminPort = FreePort.pick();

        try (Backend backend = Backend.start(Backend.echo());
                NotifySocket systemd = NotifySocket.bind(tmp.resolve("notify.sock"))) {
            Path config = work.resolve("holdport.conf");
            Files.writeString(config, testConfig(publicPort, adminPort, backend.port()));

            Process holdport = dist.start(launcher, List.of("run", "--config", config.toString()), env -> {
                env.put("NOTIFY_SOCKET", systemd.address());
                // One way names a collector, the other leaves the launcher's default in place.
                env.put("JAVA_OPTS", launch == Launch.DIRECT_WITH_JAVA_HOME ? JAVA_OPTS : JAVA_OPTS_DEFAULT_GC);
                env.put("HOLDPORT_OPTS", HOLDPORT_OPTS);
                if (launch == Launch.DIRECT_WITH_JAVA_HOME) {
                    env.put("JAVA_HOME", javaHome.toString());
                    env.put("PATH", "/usr/bin:/bin");
                } else {
                    env.remove("JAVA_HOME");
                    env.put("PATH", javaHome.resolve("bin") + ":/usr/bin:/bin");
                }
            }, work.resolve("holdport.log"));
            try {
                // READY=1 may only come once every listener is bound: the very first connect
                // after it arrives, to the route and to the admin API, must be accepted, no retry.
                await("READY=1 on NOTIFY_SOCKET").atMost(PROCESS_DEADLINE).pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            assertThat(holdport.isAlive()).as("holdport exited early:\n%s", log(work)).isTrue();
                            return systemd.hasReceived("READY=1");
                        });
                try (Socket live = Clients.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), publicPort))) {
                    assertThat(exchange(live, "hello through holdport")).isEqualTo("hello through holdport");
                    assertThat(backend.accepted()).isEqualTo(1);
                    assertThat(healthzStatus(adminPort)).isEqualTo(200);
                    assertThat(systemd.hasReceived("STOPPING=1")).isFalse();

                    // The launcher exec'd: its process is the JVM, with both option variables applied.
                    ProcessHandle.Info info = holdport.toHandle().info();
                    Path javaBinary = javaHome.resolve("bin/java").toRealPath();
                    assertThat(info.command().map(command -> Path.of(command))).contains(javaBinary);
                    List<String> jvmArguments = info.arguments().map(List::of).orElseThrow();
                    assertThat(jvmArguments).contains("-Xmx96m", "-XX:TieredStopAtLevel=1", "-Dlaunched.by=bin-holdport");
                    if (launch == Launch.DIRECT_WITH_JAVA_HOME) {
                        assertThat(jvmArguments).as("a collector named in JAVA_OPTS replaces the default")
                                .contains("-XX:+UseSerialGC").doesNotContain("-XX:+UseParallelGC");
                    } else {
                        assertThat(jvmArguments).as("the launcher's default collector").contains("-XX:+UseParallelGC");
                    }

                    holdport.destroy(); // SIGTERM (destroyForcibly would be SIGKILL)

                    // Shutting down, holdport lets the live relay finish: it still carries bytes.
                    await("STOPPING=1 on NOTIFY_SOCKET").atMost(PROCESS_DEADLINE).pollInterval(Duration.ofMillis(20))
                            .until(() -> systemd.hasReceived("STOPPING=1"));
                    assertThat(exchange(live, "still relayed while draining")).isEqualTo("still relayed while draining");
                } // the client closes: the last relay ends, so the drain is over

                assertThat(holdport.waitFor(PROCESS_DEADLINE.toSeconds(), TimeUnit.SECONDS))
                        .as("holdport still running %ss after SIGTERM:\n%s", PROCESS_DEADLINE.toSeconds(), log(work))
                        .isTrue();
                assertThat(holdport.exitValue()).as(log(work)).isZero();
            } finally {
                holdport.destroyForcibly();
            }
        }
    }

    private static Path launcherFor(Launch launch, Path work) throws IOException {
        if (launch == Launch.DIRECT_WITH_JAVA_HOME) {
            return dist.launcher();
        }
        // links/holdport -> ../../holdport-VERSION/bin/holdport (relative), and next to it an absolute link to that link.
        Path links = Files.createDirectories(work.resolve("links"));
        Path relative = Files.createSymbolicLink(links.resolve("holdport"), links.relativize(dist.launcher()));
        return Files.createSymbolicLink(work.resolve("hp"), relative);
    }

    /** One route on free loopback ports to the echo backend; the state file stays in the test's folder. */
    private static String testConfig(int publicPort, int adminPort, int backendPort) {
        return """
                holdport {
                  routes.web {
                    listen = "127.0.0.1:%d"
                    slots.a.address = "127.0.0.1:%d"
                    active = a
                  }
                  admin.listen = "127.0.0.1:%d"
                  state-file = "state.properties"
                  shutdown.drain-timeout = 60s
                }
                """.formatted(publicPort, backendPort, adminPort);
    }

    private static int healthzStatus(int adminPort) throws IOException {
        HttpURLConnection healthz = (HttpURLConnection) new URL("http://127.0.0.1:" + adminPort + "/healthz").openConnection();
        healthz.setConnectTimeout(5_000);
        healthz.setReadTimeout(10_000);
        try {
            return healthz.getResponseCode();
        } finally {
            healthz.disconnect();
        }
    }

    /** Sends {@code text} on the open connection and returns as many bytes as came back from the echo backend. */
    private static String exchange(Socket client, String text) throws IOException {
        byte[] sent = text.getBytes(UTF_8);
        client.getOutputStream().write(sent);
        client.getOutputStream().flush();
        return new String(client.getInputStream().readNBytes(sent.length), UTF_8);
    }

    private record Finished(int exitCode, String output) {}

    private Finished runToEnd(Path launcher, List<String> args, Consumer<Map<String, String>> environment)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(tmp, "holdport", ".log");
        Process process = dist.start(launcher, args, env -> {
            env.put("JAVA_OPTS", JAVA_OPTS);
            environment.accept(env);
        }, log);
        try {
            if (!process.waitFor(PROCESS_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("bin/holdport " + args + " still running after "
                        + PROCESS_DEADLINE.toSeconds() + "s:\n" + Files.readString(log));
            }
            return new Finished(process.exitValue(), Files.readString(log));
        } finally {
            process.destroyForcibly();
        }
    }

    private static String log(Path work) {
        try {
            return Files.readString(work.resolve("holdport.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
