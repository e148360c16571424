package dev.personascope.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a class of the test classpath in its own JVM, as the {@code personascope} launcher does, and captures what it
 * prints: what native libraries write to the process's stderr, and picocli's warnings (written to the stderr its class
 * saw when first loaded), show up only in a fresh process.
 */
final class CliProcess {
    record Result(int code, String out, String err) {
        /** stderr's lines, blank ones left out. */
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private CliProcess() {
    }

    /** {@code personascope ARGS} in a fresh JVM. */
    static Result personascope(Path work, String... args) throws IOException, InterruptedException {
        return java(work, "dev.personascope.cli.Main", args);
    }

    static Result java(Path work, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Xmx1g", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(work, "stdout", ".txt");
        Path err = Files.createTempFile(work, "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            fail(String.join(" ", args) + " did not end within 3 minutes:\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
