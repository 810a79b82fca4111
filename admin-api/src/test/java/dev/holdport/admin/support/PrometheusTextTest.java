package dev.holdport.admin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The test parser is only worth its checks if it refuses broken expositions. */
class PrometheusTextTest {

    @Test
    void readsAWellFormedExposition() {
        PrometheusText text = PrometheusText.parse("""
                # HELP x_total Things.
                # TYPE x_total counter
                x_total{route="web",path="a\\"b\\\\c"} 3.0
                # TYPE h histogram
                h_bucket{le="0.5"} 1
                h_bucket{le="+Inf"} 2
                h_count 2
                h_sum 1.5
                """);

        assertThat(text.value("x_total", "route", "web", "path", "a\"b\\c")).isEqualTo(3.0);
        assertThat(text.types()).containsEntry("h", "histogram");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "x 1",                                                   // no final newline
        "x{a=\"1\" 1\n",                                         // unterminated labels
        "x{a=1} 1\n",                                            // unquoted label value
        "x{1a=\"1\"} 1\n",                                       // bad label name
        "x{a=\"\\t\"} 1\n",                                      // bad escape
        "x one\n",                                               // bad value
        "x 1\nx 2\n",                                            // duplicate series
        "x 1\ny 1\nx{a=\"b\"} 1\n",                              // family not contiguous
        "x 1\n# TYPE x gauge\n",                                 // TYPE after samples
        "# TYPE x gauge\n# TYPE x gauge\nx 1\n",                 // TYPE twice
        "# TYPE x sometype\nx 1\n",                              // unknown type
        "# TYPE h histogram\nh 1\n",                             // bare histogram sample
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n",                                  // no +Inf
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n",        // not cumulative
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 3\nh_sum 1\n",        // count differs
    })
    void refusesABrokenExposition(String exposition) {
        assertThatThrownBy(() -> PrometheusText.parse(exposition)).isInstanceOf(IllegalArgumentException.class);
    }
}
