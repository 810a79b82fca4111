package dev.holdport.bench.load;

import dev.holdport.bench.process.PidFile;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The clients of one hold step as a {@link ClientPlan} spreads them: the connections this process
 * opens itself plus those of its client shards, counted together.
 */
public final class SpreadHeldClients implements HeldClients {

    private final HeldConnections own;
    private final List<ClientShard> shards;

    private SpreadHeldClients(HeldConnections own, List<ClientShard> shards) {
        this.own = own;
        this.shards = List.copyOf(shards);
    }

    /**
     * Opens the plan's connections to {@code target}; returns once every connect, here and in every
     * shard, has completed or failed. Shards run until {@code shardDeadline} at most (they give up then).
     *
     * @param workDir where each shard's log goes ({@code held-clients-127.0.0.2.log}, …)
     */
    public static SpreadHeldClients open(LoadClient client, InetSocketAddress target, ClientPlan plan, Duration timeout,
                                         Duration shardDeadline, Path workDir, PidFile pids) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ClientShard> shards = new ArrayList<>();
        try {
            // Shards first: their JVMs start while this process opens its own share.
            for (int i = 0; i < plan.shards().size(); i++) {
                String name = "held-clients-" + ClientPlan.shardSource(i).getHostAddress();
                shards.add(ClientShard.start(name, target, plan.shards().get(i), ClientPlan.shardSource(i), shardDeadline,
                        workDir.resolve(name + ".log"), pids));
            }
            HeldConnections own = HeldConnections.open(client, target, plan.inProcess(), timeout);
            try {
                for (ClientShard shard : shards) {
                    shard.awaitConnected(deadline);
                }
            } catch (RuntimeException e) {
                own.close();
                throw e;
            }
            return new SpreadHeldClients(own, shards);
        } catch (RuntimeException | InterruptedException e) {
            shards.forEach(ClientShard::close);
            throw e;
        }
    }

    @Override
    public HeldCount count() {
        List<HeldCount> counts = new ArrayList<>();
        counts.add(own.count());
        shards.forEach(s -> counts.add(s.count()));
        return HeldCount.sum(counts);
    }

    @Override
    public String firstFailure() {
        if (own.firstFailure() != null) {
            return own.firstFailure();
        }
        return shards.stream().map(s -> s.firstFailure() == null ? null : s.name() + ": " + s.firstFailure())
                .filter(f -> f != null).findFirst().orElse(null);
    }

    @Override
    public HeldCount awaitAnswers(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        own.awaitAnswers(timeout);
        for (ClientShard shard : shards) {
            shard.awaitAnswers(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        return count();
    }

    @Override
    public void close() {
        shards.forEach(ClientShard::close);
        own.close();
    }
}
