package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {

    @Test
    void readsWhatPeopleType() {
        assertThat(DurationText.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationText.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationText.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationText.parse("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationText.parse("0.25")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationText.parse(" 1.5 s ")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationText.parse("PT45S")).isEqualTo(Duration.ofSeconds(45));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "-5s", "5d", "1e3", "PT-1S", "PTxS", "99999999999999h", "PT3000000H"})
    void refusesAnythingElseSayingWhy(String text) {
        assertThatThrownBy(() -> DurationText.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + text + "\"");
    }

    @Test
    void printsShortHumanForms() {
        assertThat(DurationText.human(0.85)).isEqualTo("850ms");
        assertThat(DurationText.human(12.34)).isEqualTo("12.3s");
        assertThat(DurationText.human(245)).isEqualTo("4m05s");
        assertThat(DurationText.human(7300)).isEqualTo("2h01m");
    }
}
