package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdport.config.ConfigLoader;
import dev.holdport.config.HoldportConfig;
import dev.holdport.proxy.Proxy;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.FreePort;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slots without commands: holdport neither starts nor stops anything, but a deploy is still a
 * readiness-gated switch: it refuses to send traffic to a slot that does not answer.
 */
class UnsupervisedDeployTest {

    @TempDir
    Path dir;

    @Test
    void aSwitchDeployWaitsForTheSlotToAnswerAndTouchesNoProcess() throws Exception {
        int portB = FreePort.pick();
        HoldportConfig config = ConfigLoader.parse("""
                holdport {
                  state-file = "%s"
                  routes.web {
                    listen = "127.0.0.1:0"
                    active = a
                    slots {
                      a.address = "127.0.0.1:%d"
                      b { address = "127.0.0.1:%d", ready { interval = 20ms, timeout = 500ms } }
                    }
                  }
                }
                """.formatted(dir.resolve("state.properties"), FreePort.pick(), portB));
        try (Backend a = Backend.start(Backend.namedAnswer("v1"));
             Proxy proxy = Proxy.start(ConfigLoader.parse(ConfigLoader.render(config)
                     .replace(":" + config.route("web").slot("a").address().port() + "\"", ":" + a.port() + "\"")));
             Deployer deployer = Deployer.start(proxy, config)) {
            // Nothing listens on b yet: the deploy rolls back without having touched the route.
            Deploy refused = deployer.completion(deployer.deploy("web", DeployRequest.of("b")).id())
                    .orElseThrow().get(30, TimeUnit.SECONDS);
            assertThat(refused.state()).isEqualTo(DeployState.ROLLED_BACK);
            assertThat(refused.steps()).extracting(DeployStep::name).containsExactly("ready b");
            assertThat(Clients.ask(proxy.routes().get(0).listenAddress(), "who?")).isEqualTo("v1");

            try (Backend b = Backend.start(portB, Backend.namedAnswer("v2"))) {
                Deploy done = deployer.completion(deployer.deploy("web", DeployRequest.of("b")).id())
                        .orElseThrow().get(30, TimeUnit.SECONDS);

                assertThat(done.state()).as("%s", done).isEqualTo(DeployState.SUCCEEDED);
                assertThat(done.steps()).extracting(DeployStep::name).containsExactly("ready b", "switch b", "drain a");
                assertThat(Clients.ask(proxy.routes().get(0).listenAddress(), "who?")).isEqualTo("v2");
            }
            assertThatThrownBy(() -> deployer.deploy("web", DeployRequest.of("a", DeployMode.EXCLUSIVE)))
                    .isInstanceOf(InvalidDeployException.class)
                    .hasMessageContaining("exclusive stops slot b, which has no start command");
            assertThat(deployer.slots()).allSatisfy(s -> assertThat(s.supervised()).isFalse());
        }
    }
}
