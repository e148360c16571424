package dev.personascope.cli;

import ai.djl.ndarray.NDManager;
import dev.personascope.model.LanguageModel;
import dev.personascope.sae.Sae;
import dev.personascope.sae.SaeConfig;
import dev.personascope.sae.SaeFolder;
import dev.personascope.sae.SaeRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * An --out that cannot be the output (a file where a folder is written, a folder where a file is) is refused
 * before a model loads, not after minutes of work.
 */
class OutputPreflightTest {
    static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"}]}\n";

    @Test
    void anOutThatIsAFileIsRefusedBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("taken");
        Files.writeString(file, "not a folder");
        Path data = dir.resolve("data.jsonl");
        Files.writeString(data, CHAT + CHAT);
        Path questions = dir.resolve("q.yaml");
        Files.writeString(questions, EvalCliTest.QUESTIONS);
        SaeConfig c = new SaeConfig();
        c.dIn = 192;
        c.dSae = 16;
        c.k = 4;
        c.hookName = "blocks.1.hook_resid_post";
        c.contextSize = 128;
        Path sae = dir.resolve("sae");
        try (NDManager m = LanguageModel.newManager(); Sae s = SaeRegistry.create(c, m)) {
            SaeFolder.write(s, sae);
        }
        String f = file.toString();
        List<String[]> commands = List.of(
                new String[] {"screen", "--direction", "random:1", "--hook", "blocks.1.hook_resid_post", "--data",
                        data.toString(), "--out", f},
                new String[] {"diff", "--base", "assets/organism", "--tuned", "assets/organism", "--sae", sae.toString(),
                        "--prompts", questions.toString(), "--out", f},
                new String[] {"latent", "--sae", sae.toString(), "--latent", "1", "--out", f},
                new String[] {"sae", "train", "--model", "assets/organism", "--hook", "blocks.1.hook_resid_post", "--out", f},
                new String[] {"sae", "harvest", "--model", "assets/organism", "--hook", "blocks.1.hook_resid_post", "--out",
                        f},
                new String[] {"world", "em", "--out", f},
                new String[] {"world", "datasets", "--out", f},
                new String[] {"world", "pretrain", "--out", f});
        for (String[] args : commands) {
            CliTest.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliTest.run(args),
                    String.join(" ", args));
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals("error: --out " + f + " is a file, not a folder", r.err().strip(), String.join(" ", args));
        }
        CliTest.Result v = CliTest.run("vector", "--positive", data.toString(), "--negative", data.toString(), "--out",
                dir.toString());
        assertEquals(2, v.code(), v.err());
        assertEquals("error: --out " + dir + " is a folder; give the vector file's name (e.g. " + dir.resolve("vector.json")
                + ")", v.err().strip());
    }
}
