package dev.holdport.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every hold-queue candidate the benchmark compares must behave as a hold queue. */
class HoldQueueCandidatesTest {

    static final String[] CANDIDATES = HoldQueueCandidates.NAMES;

    @ParameterizedTest
    @FieldSource("CANDIDATES")
    void releasesInArrivalOrder(String name) {
        HoldQueueCandidate queue = HoldQueueCandidates.create(name);
        HeldEntry first = new HeldEntry();
        HeldEntry second = new HeldEntry();
        HeldEntry third = new HeldEntry();
        queue.offer(first);
        queue.offer(second);
        queue.offer(third);

        assertThat(queue.poll()).isSameAs(first);
        assertThat(queue.poll()).isSameAs(second);
        assertThat(queue.poll()).isSameAs(third);
        assertThat(queue.poll()).isNull();
    }

    @ParameterizedTest
    @FieldSource("CANDIDATES")
    void removesFromAnywhereOnce(String name) {
        HoldQueueCandidate queue = HoldQueueCandidates.create(name);
        HeldEntry first = new HeldEntry();
        HeldEntry middle = new HeldEntry();
        HeldEntry last = new HeldEntry();
        queue.offer(first);
        queue.offer(middle);
        queue.offer(last);

        assertThat(queue.remove(middle)).isTrue();
        assertThat(queue.remove(middle)).isFalse();
        assertThat(queue.remove(last)).isTrue();
        assertThat(queue.poll()).isSameAs(first);
        assertThat(queue.poll()).isNull();
        assertThat(queue.remove(first)).isFalse();
    }
}
