package dev.holdport.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the run makes of a client shard's lines, in the order a shard prints them. */
class ShardStatusTest {

    @Test
    void connectedThenAnsweredGivesTheShardsCount() {
        ShardStatus connected = ShardStatus.STARTING.after(ShardLine.parse("connected 14998 failed 2"));
        assertThat(connected.phase()).isEqualTo(ShardStatus.Phase.CONNECTED);
        assertThat(connected.count()).isEqualTo(new HeldCount(14_998, 0, 2, 0));
        assertThat(connected.finished()).isFalse();

        ShardStatus answered = connected.after(ShardLine.parse("first-failure connect: refused"))
                .after(ShardLine.parse("answered 14997 failed 3 last-answer-epoch-micros 1763750000123456"));

        assertThat(answered.phase()).isEqualTo(ShardStatus.Phase.ANSWERED);
        assertThat(answered.count()).isEqualTo(new HeldCount(14_998, 14_997, 3, 1_763_750_000_123_456L));
        assertThat(answered.firstFailure()).isEqualTo("connect: refused");
        assertThat(answered.finished()).isTrue();
        assertThat(answered.ended("exited")).isEqualTo(answered);
    }

    @Test
    void onlyTheFirstFailureIsKept() {
        ShardStatus status = ShardStatus.STARTING.after(ShardLine.parse("first-failure one"))
                .after(ShardLine.parse("first-failure two"));
        assertThat(status.firstFailure()).isEqualTo("one");
    }

    @Test
    void aShardThatGivesUpOrEndsBeforeItsAnswersHasAProblem() {
        ShardStatus gaveUp = ShardStatus.STARTING.after(ShardLine.parse("connected 10 failed 0"))
                .after(ShardLine.parse("error only 0 of 10 held connections answered within PT1S"));
        assertThat(gaveUp.problem()).isEqualTo("only 0 of 10 held connections answered within PT1S");
        assertThat(gaveUp.finished()).isTrue();
        assertThat(gaveUp.ended("exited (exit code 1)").problem()).as("the first reason stays")
                .isEqualTo("only 0 of 10 held connections answered within PT1S");

        ShardStatus died = ShardStatus.STARTING.ended("exited before reporting its answers (exit code 137)");
        assertThat(died.problem()).isEqualTo("exited before reporting its answers (exit code 137)");
        assertThat(died.phase()).isEqualTo(ShardStatus.Phase.STARTING);
    }
}
