package dev.holdport.bench.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuSetTest {

    @Test
    void readsNumbersListsAndRangesAndWritesThemBackInTheKernelsForm() {
        assertThat(CpuSet.parse("1").cpus()).containsExactly(1);
        assertThat(CpuSet.parse(" 3, 0-1 ").cpus()).containsExactly(0, 1, 3);
        assertThat(CpuSet.parse("0-2,5,6,7,9").toString()).isEqualTo("0-2,5-7,9");
        assertThat(CpuSet.parse("4,4-5")).isEqualTo(CpuSet.parse("4-5"));
    }

    @Test
    void aBadListIsRefusedWithWhatIsWrongInIt() {
        assertThatThrownBy(() -> CpuSet.parse("")).hasMessageContaining("empty CPU list");
        assertThatThrownBy(() -> CpuSet.parse("1,x")).hasMessageContaining("'x' in CPU list '1,x' is not a CPU number");
        assertThatThrownBy(() -> CpuSet.parse("3-1")).hasMessageContaining("'3-1' in CPU list '3-1' runs backwards");
        assertThatThrownBy(() -> CpuSet.parse("-1")).hasMessageContaining("is not a CPU number");
        assertThatThrownBy(() -> CpuSet.parse("1-2-3")).hasMessageContaining("is not a CPU number");
        assertThatThrownBy(() -> CpuSet.parse("0-2000000000")).hasMessageContaining("is not a CPU number (0 to 8191)");
    }

    @Test
    void setArithmetic() {
        CpuSet all = CpuSet.parse("0-3");
        assertThat(all.minus(CpuSet.parse("1,3")).toString()).isEqualTo("0,2");
        assertThat(all.containsAll(CpuSet.parse("2-3"))).isTrue();
        assertThat(all.containsAll(CpuSet.parse("3-4"))).isFalse();
        assertThat(CpuSet.parse("0-1").overlaps(CpuSet.parse("1-2"))).isTrue();
        assertThat(CpuSet.parse("0").overlaps(CpuSet.parse("1-2"))).isFalse();
    }

    @Test
    void thisProcessMayRunOnTheCpusTheKernelSays() throws Exception {
        CpuSet self = CpuSet.allowedFor("self");
        assertThat(self.size()).isPositive();
        // The same question asked of another process: a child inherits this one's CPUs.
        Process child = new ProcessBuilder(List.of("sleep", "30")).start();
        try {
            assertThat(CpuSet.allowedFor(Long.toString(child.pid()))).isEqualTo(self);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
