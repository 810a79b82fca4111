package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README shows the deploy recipes in full; {@link DeployRecipesTest} runs the files. This
 * keeps the two the same text.
 */
class ReadmeRecipesTest {

    @ParameterizedTest
    @ValueSource(strings = {"restart-in-place.sh", "ab-switch.sh"})
    void readmeShowsTheRecipeAsTested(String script) throws Exception {
        Path readme = Path.of("..", "README.md");
        assumeTrue(Files.exists(readme) && Files.readString(readme).contains("recipes/" + script),
                "the README has no deploy recipe section yet");
        String recipe = Files.readString(Path.of("src", "test", "resources", "recipes", script));

        assertThat(Files.readString(readme)).as("README.md shows recipes/%s as it is", script).contains(recipe);
    }
}
