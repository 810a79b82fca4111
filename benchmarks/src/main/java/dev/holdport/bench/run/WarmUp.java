package dev.holdport.bench.run;

import dev.holdport.bench.load.BulkDownload;
import dev.holdport.bench.load.KeepAliveLoad;
import dev.holdport.bench.load.NewConnectionLoad;
import dev.holdport.bench.target.Route;
import dev.holdport.bench.target.Target;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * A short unmeasured pass of each load against every target before the first scenario, so the
 * JIT of the load generator, the backends and holdport has compiled the hot paths before anything
 * is measured: otherwise whichever target comes first pays for it.
 */
final class WarmUp {

    private WarmUp() {}

    static void run(RunContext context) throws InterruptedException {
        RunSettings s = context.settings();
        Duration each = s.quick() ? Duration.ofMillis(300) : Duration.ofSeconds(2);
        for (Target target : context.targets()) {
            context.progress("warm-up", target.name(), 1);
            try {
                KeepAliveLoad.run(context.client(), new KeepAliveLoad.Settings(target.address(Route.ECHO),
                        s.keepAliveConnections(), s.messageBytes(), Duration.ZERO, each, 0));
                NewConnectionLoad.run(context.client(), new NewConnectionLoad.Settings(target.address(Route.ECHO),
                        s.newConnectionConcurrency(), 0, s.messageBytes(), Duration.ZERO, each, Duration.ofSeconds(10)));
                BulkDownload.run(target.address(Route.BULK), 1, Duration.ZERO, each, OptionalLong.empty());
            } catch (IllegalStateException e) {
                context.note("warm-up against " + target.name() + " failed: " + RunContext.describe(e));
            }
        }
    }
}
