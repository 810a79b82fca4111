package dev.holdport.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a hold step's clients are spread over this process and client shards. */
class ClientPlanTest {

    @Test
    void aStepThatFitsRunsHereAlone() {
        assertThat(ClientPlan.of(10_000, 19_000)).isEqualTo(new ClientPlan(10_000, List.of()));
        assertThat(ClientPlan.of(19_000, 19_000).processes()).isEqualTo(1);
        assertThat(ClientPlan.of(1_000, 1_000_000)).isEqualTo(new ClientPlan(1_000, List.of()));
    }

    @Test
    void fiftyThousandUnderALimitOfTwentyThousandTakeThisProcessAndThreeShards() {
        ClientPlan plan = ClientPlan.of(50_000, 20_000 - ClientPlan.FD_MARGIN);

        assertThat(plan.inProcess()).isEqualTo(HeldConnections.PER_SOURCE_ADDRESS);
        assertThat(plan.shards()).containsExactly(11_667, 11_667, 11_666);
        assertThat(plan.processes()).isEqualTo(4);
    }

    @Test
    void aSmallBudgetSpreadsEvenlyAndNoShardExceedsIt() {
        ClientPlan plan = ClientPlan.of(5_000, 2_000);

        assertThat(plan.inProcess()).isEqualTo(2_000);
        assertThat(plan.shards()).containsExactly(1_500, 1_500);
        assertThat(plan.inProcess() + plan.shards().stream().mapToInt(Integer::intValue).sum()).isEqualTo(5_000);
    }

    @Test
    void tooSmallABudgetOrTooManyShardsIsAReasonToSkip() {
        assertThatThrownBy(() -> ClientPlan.of(1_000, 24)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 1000 client sockets").hasMessageContaining("about 24");
        assertThatThrownBy(() -> ClientPlan.of(5_000_000, 15_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("333 client processes");
    }

    @Test
    void shardsComeFrom127002Upwards() {
        assertThat(ClientPlan.shardSource(0).getHostAddress()).isEqualTo("127.0.0.2");
        assertThat(ClientPlan.shardSource(2).getHostAddress()).isEqualTo("127.0.0.4");
    }

    @Test
    void theBudgetCanBeLoweredForTrials() {
        String before = System.getProperty(ClientPlan.BUDGET_PROPERTY);
        try {
            System.setProperty(ClientPlan.BUDGET_PROPERTY, "2000");
            assertThat(ClientPlan.ownBudget()).isLessThanOrEqualTo(2_000);
            System.setProperty(ClientPlan.BUDGET_PROPERTY, "lots");
            assertThatThrownBy(ClientPlan::ownBudget).hasMessageContaining("bench.client-fd-budget");
        } finally {
            if (before == null) {
                System.clearProperty(ClientPlan.BUDGET_PROPERTY);
            } else {
                System.setProperty(ClientPlan.BUDGET_PROPERTY, before);
            }
        }
    }
}
