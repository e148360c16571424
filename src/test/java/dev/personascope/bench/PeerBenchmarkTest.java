package dev.personascope.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peer's process handling and the side-by-side table, with a shell script standing in for the Python
 * interpreter (the suite never needs Python): it receives the bundled script's path and the arguments.
 */
class PeerBenchmarkTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private static String interpreter(Path dir, String body) throws IOException {
        Path sh = dir.resolve("fake-python");
        Files.writeString(sh, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(sh, PosixFilePermissions.fromString("rwx------"));
        return sh.toString();
    }

    @Test
    void runsTheBundledScriptWithTheArgumentsAndReadsItsLastJsonLine(@TempDir Path dir) throws IOException {
        // echoes what it was given: the script must be a real copy of the bundled peer, followed by the arguments
        String python = interpreter(dir, "head -c 200 \"$1\" | grep -q 'Peer benchmark' || exit 3\n"
                + "echo 'loading...'\nshift\necho \"{\\\"args\\\": \\\"$*\\\", \\\"prefill_tok_s\\\": 50.0, \\\"torch\\\": \\\"2.13\\\"}\"");
        JsonNode out = PeerBenchmark.run(python, PeerBenchmark.Script.TRANSFORMERS, List.of("--only", "forward", "--small"), QUIET);
        assertEquals("--only forward --small", out.get("args").asText());
        assertEquals(50.0, out.get("prefill_tok_s").asDouble());
    }

    @Test
    void theSaePeerIsBundledToo(@TempDir Path dir) throws IOException {
        String python = interpreter(dir, "grep -q 'TopK SAE' \"$1\" && echo '{\"sae_tok_s\": 1}'");
        assertEquals(1, PeerBenchmark.run(python, PeerBenchmark.Script.SAE, List.of(), QUIET).get("sae_tok_s").asInt());
    }

    @Test
    void failuresAreOneLineNamingTheCause(@TempDir Path dir) throws IOException {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () ->
                PeerBenchmark.run(dir.resolve("no-such-python").toString(), PeerBenchmark.Script.TRANSFORMERS, List.of(), QUIET));
        assertTrue(missing.getMessage().startsWith("--compare: cannot run "), missing.getMessage());
        IllegalArgumentException failed = assertThrows(IllegalArgumentException.class, () ->
                PeerBenchmark.run(interpreter(dir, "echo 'ModuleNotFoundError' >&2; exit 1"), PeerBenchmark.Script.TRANSFORMERS,
                        List.of(), QUIET));
        assertTrue(failed.getMessage().contains("exited with 1"), failed.getMessage());
        IllegalArgumentException noJson = assertThrows(IllegalArgumentException.class, () ->
                PeerBenchmark.run(interpreter(dir, "echo done"), PeerBenchmark.Script.TRANSFORMERS, List.of(), QUIET));
        assertTrue(noJson.getMessage().contains("no JSON line (last line: 'done')"), noJson.getMessage());
        for (IllegalArgumentException e : List.of(missing, failed, noJson)) {
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void theTablePutsBothFiguresAndTheirRatioSideBySide(@TempDir Path dir) throws IOException {
        JsonNode peer = PeerBenchmark.run(interpreter(dir,
                "echo '{\"torch\": \"2.13.0\", \"transformers\": \"5.18.0\", \"threads\": 2, \"prefill_tok_s\": 80, \"decode_b1_tok_s\": 5}'"),
                PeerBenchmark.Script.TRANSFORMERS, List.of(), QUIET);
        Map<String, Double> ours = new LinkedHashMap<>();
        ours.put("prefill_tok_s", 100.0);
        ours.put("decode_b1_tok_s", 2.5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PeerBenchmark.printComparison(new PrintStream(bytes, true, StandardCharsets.UTF_8), ours, peer, List.of(
                new PeerBenchmark.Row("prefill_tok_s", "prefill"), new PeerBenchmark.Row("decode_b1_tok_s", "decode b1"),
                new PeerBenchmark.Row("decode_b8_tok_s", "decode b8")));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("transformers 5.18.0 / torch 2.13.0, 2 threads"), table);
        assertTrue(table.matches("(?s).*prefill\\s+100\\.00\\s+80\\.00\\s+1\\.25x.*"), table);
        assertTrue(table.matches("(?s).*decode b1\\s+2\\.50\\s+5\\.00\\s+0\\.50x.*"), table);
        assertTrue(table.matches("(?s).*decode b8\\s+-\\s+-\\s+-.*"), table);
    }
}
