package dev.holdport.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** When the clients past holdport's client-connection limit can wait in its listen backlog. */
class HoldCapacityTest {

    @Test
    void clientsWithinHoldportsLimitNeedNoBacklog() {
        assertThat(HoldCapacity.backlogProblem(9_000, 9_744, OptionalInt.of(128))).isNull();
    }

    @Test
    void theRestFitsWhenTheKernelAllowsThatBacklog() {
        assertThat(HoldCapacity.backlogProblem(50_000, 9_744, OptionalInt.of(65_535))).isNull();
        assertThat(HoldCapacity.backlogProblem(10_000, 9_744, OptionalInt.of(4_096))).isNull();
        assertThat(HoldCapacity.backlogProblem(50_000, 9_744, OptionalInt.empty())).as("unknown: tried").isNull();
    }

    @Test
    void aBacklogTheKernelCapsTooLowSkipsTheStepSayingWhy() {
        assertThat(HoldCapacity.backlogProblem(50_000, 9_744, OptionalInt.of(4_096)))
                .isEqualTo("40256 clients would wait in holdport's listen backlog (past its client-connection limit of 9744),"
                        + " but the kernel caps backlogs at 4096 (net.core.somaxconn; run.sh raises it to 65535 when run as root)");
    }

    @Test
    void moreThanTheRoutesBacklogSkipsTheStep() {
        assertThat(HoldCapacity.backlogProblem(100_000, 9_744, OptionalInt.of(1_000_000)))
                .contains("90256 clients would wait").contains("more than its backlog of 65535");
    }
}
