package dev.holdport.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The lines a client shard prints for the run, both ways. */
class ShardLineTest {

    @Test
    void eachLineReadsBackAsWhatWasPrinted() {
        for (ShardLine line : new ShardLine[] {
                new ShardLine.Connected(15_000, 3),
                new ShardLine.Answered(14_990, 10, 1_763_750_000_123_456L),
                new ShardLine.FirstFailure("connect: io.netty.channel.ConnectTimeoutException: timed out"),
                new ShardLine.GaveUp("opening held connections stalled after 812")}) {
            assertThat(ShardLine.parse(line.text())).isEqualTo(line);
        }
    }

    @Test
    void theLinesAreTheDocumentedText() {
        assertThat(new ShardLine.Connected(300, 0).text()).isEqualTo("connected 300 failed 0");
        assertThat(new ShardLine.Answered(299, 1, 42).text()).isEqualTo("answered 299 failed 1 last-answer-epoch-micros 42");
        assertThat(ShardLine.parse("error stalled")).isEqualTo(new ShardLine.GaveUp("stalled"));
    }

    @Test
    void aMultiLineMessageIsPrintedOnOneLine() {
        assertThat(new ShardLine.GaveUp("first\n  second").text()).isEqualTo("error first second");
        assertThat(new ShardLine.FirstFailure("a\r\nb").text()).isEqualTo("first-failure a b");
    }

    @Test
    void anythingElseIsOtherAndChangesNothing() {
        for (String text : new String[] {"", "WARNING: something from the JVM", "connected", "connected 12 failed x",
                "connected 12 failed 0 extra", "answered 1 failed 0 last-answer-epoch-micros", "answered one failed 0 last-answer-epoch-micros 5"}) {
            ShardLine line = ShardLine.parse(text);
            assertThat(line).as(text).isEqualTo(new ShardLine.Other(text));
            assertThat(ShardStatus.STARTING.after(line)).isEqualTo(ShardStatus.STARTING);
        }
    }
}
