package dev.holdport.bench.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFilesTest {

    @TempDir
    Path dir;

    @Test
    void aSecondRunOnTheSameDayAndHostDoesNotOverwriteTheFirst() throws Exception {
        assertThat(ReportFiles.freeBase(dir, "2026-11-21-vm")).isEqualTo("2026-11-21-vm");

        Files.writeString(dir.resolve("2026-11-21-vm.md"), "first run");
        assertThat(ReportFiles.freeBase(dir, "2026-11-21-vm")).isEqualTo("2026-11-21-vm-2");

        Files.writeString(dir.resolve("2026-11-21-vm-2.json"), "{}");
        assertThat(ReportFiles.freeBase(dir, "2026-11-21-vm")).as("any of the three files takes the name").isEqualTo("2026-11-21-vm-3");
    }
}
