package dev.holdport.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnsTest {

    @Test
    void theMeasuredTimeIsCutIntoTurnsOfAtMostASecond() {
        assertThat(Turns.count(Duration.ofSeconds(8))).isEqualTo(8);
        assertThat(Turns.count(Duration.ofMillis(8_500))).isEqualTo(9);
        assertThat(Turns.count(Duration.ofMillis(600))).as("--quick: one turn").isEqualTo(1);
        assertThat(Turns.count(Duration.ZERO)).isEqualTo(1);
    }

    @Test
    void whoGoesFirstRotatesFromTurnToTurn() {
        List<String> targets = List.of("direct", "holdport", "haproxy");
        assertThat(Turns.rotated(targets, 0)).containsExactly("direct", "holdport", "haproxy");
        assertThat(Turns.rotated(targets, 1)).containsExactly("holdport", "haproxy", "direct");
        assertThat(Turns.rotated(targets, 2)).containsExactly("haproxy", "direct", "holdport");
        assertThat(Turns.rotated(targets, 3)).containsExactly("direct", "holdport", "haproxy");
        assertThat(Turns.rotated(List.of(), 5)).isEmpty();
    }
}
