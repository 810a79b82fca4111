package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every kind of bad config stops {@code holdport run} (and {@code check-config}) with exit code 2
 * and a message naming the key path — no stack trace, nothing started. The full table of
 * problems and their wording is in the config module's {@code InvalidConfigTest}; this one
 * checks the command's side of the contract, in-process through {@link Main#execute}.
 */
class ConfigErrorExitTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        unknown slot in active    | slots { a.address = \"127.0.0.1:9001\" }, active = c                  | holdport.routes.web.active
        unparsable address        | slots { a.address = \"9002x\" }, active = a                           | holdport.routes.web.slots.a.address
        port out of range         | slots { a.address = \"127.0.0.1:70000\" }, active = a                 | holdport.routes.web.slots.a.address
        negative duration         | slots { a.address = \"127.0.0.1:9001\" }, active = a, hold.timeout = -1s | holdport.routes.web.hold.timeout
        unknown key under a route | slot { a.address = \"127.0.0.1:9001\" }, active = a                   | holdport.routes.web.slot
        """)
    void aBadConfigExitsTwoNamingThePath(String kind, String route, String path) throws Exception {
        Path file = dir.resolve("holdport.conf");
        Files.writeString(file, "holdport { state-file = \"" + dir.resolve("state") + "\"\n"
                + "routes.web { listen = \"127.0.0.1:0\", " + route + " } }\n");
        for (String command : new String[] {"run", "check-config"}) {
            Run result = execute(command, "--config", file.toString());
            assertThat(result.exitCode()).as("%s exit code for %s", command, kind).isEqualTo(2);
            assertThat(result.err()).as("%s message", command).contains(path).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @org.junit.jupiter.api.Test
    void aDuplicateListenAddressExitsTwoNamingThePath() throws Exception {
        Path file = dir.resolve("holdport.conf");
        Files.writeString(file, "holdport.routes {\n"
                + "  web { listen = \"127.0.0.1:8080\", slots.a.address = \"127.0.0.1:9001\" }\n"
                + "  rpc { listen = \"127.0.0.1:8080\", slots.a.address = \"127.0.0.1:9002\" }\n}\n");
        Run result = execute("run", "--config", file.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("holdport.routes.").contains("listen");
    }

    record Run(int exitCode, String err) {}

    private static Run execute(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Run(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }
}
