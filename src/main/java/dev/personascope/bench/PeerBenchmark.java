package dev.personascope.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The peer a user would run instead: one of the Python scripts bundled beside this class (Hugging Face
 * transformers + PEFT for {@code forward} and {@code train}, plain PyTorch for {@code sae}), run with a given
 * interpreter on the same shapes, its one JSON line read back, and both sets of figures printed side by side.
 */
public final class PeerBenchmark {
    /** A bundled peer script. */
    public enum Script {
        TRANSFORMERS("hf_peer_bench.py"), SAE("sae_peer_bench.py");

        private final String file;

        Script(String file) {
            this.file = file;
        }
    }

    /** One figure to compare (higher is better): the peer's JSON key and its label. */
    public record Row(String key, String label) {
    }

    private PeerBenchmark() {
    }

    /**
     * Runs {@code script} with {@code python} and {@code args}; its stderr goes to ours (warnings, progress), its
     * last stdout line must be one JSON object. Throws IllegalArgumentException with one line when the
     * interpreter cannot be started, exits with an error or prints no JSON.
     */
    public static JsonNode run(String python, Script script, List<String> args, PrintStream log) {
        Path file = extract(script);
        List<String> command = new ArrayList<>(List.of(python, file.toString()));
        command.addAll(args);
        log.println("running the peer: " + python + " " + script.file + " " + String.join(" ", args));
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            // the peer runs as a user runs it: without the allocator setting our launcher adds (its ratio to ours
            // then includes that setting's gain; set PEER_THP_MEM_ALLOC_ENABLE=1 to give the peer the same)
            pb.environment().remove("THP_MEM_ALLOC_ENABLE");
            String peerThp = System.getenv("PEER_THP_MEM_ALLOC_ENABLE");
            if (peerThp != null) {
                pb.environment().put("THP_MEM_ALLOC_ENABLE", peerThp);
            }
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalArgumentException("--compare: cannot run " + python + ": " + e.getMessage());
        }
        try (InputStream in = p.getInputStream()) {
            String stdout = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            int code = p.waitFor();
            String last = stdout.isEmpty() ? "" : stdout.substring(stdout.lastIndexOf('\n') + 1);
            if (code != 0) {
                throw new IllegalArgumentException("--compare: the peer (" + python + " " + script.file + ") exited with "
                        + code + "; it needs torch (and, for forward and train, transformers and peft) in that interpreter"
                        + " (see its error above)");
            }
            JsonNode json;
            try {
                json = Json.MAPPER.readTree(last);
            } catch (IOException e) {
                json = null;
            }
            if (json == null || !json.isObject()) {
                throw new IllegalArgumentException("--compare: the peer printed no JSON line (last line: '"
                        + (last.length() > 120 ? last.substring(0, 120) + "..." : last) + "')");
            }
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the peer ran");
        } finally {
            p.destroy();
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left behind
            }
        }
    }

    /** The script copied out of the jar into a temporary file. */
    private static Path extract(Script script) {
        try (InputStream in = PeerBenchmark.class.getResourceAsStream(script.file)) {
            if (in == null) {
                throw new IllegalStateException("the peer script " + script.file + " is missing from the jar");
            }
            Path file = Files.createTempFile("personascope-peer-", ".py");
            Files.write(file, in.readAllBytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Prints ours against the peer's for each row: both values and ours / peer's (above 1: we are faster). A
     * row the peer does not report shows "-".
     */
    public static void printComparison(PrintStream out, Map<String, Double> ours, JsonNode peer, List<Row> rows) {
        int width = rows.stream().mapToInt(r -> r.label().length()).max().orElse(10);
        out.printf(Locale.ROOT, "%nside by side with the peer (%s, %s threads); ratio = ours / peer's%n", describe(peer),
                peer.path("threads").asText("?"));
        out.printf(Locale.ROOT, "%-" + width + "s  %12s  %12s  %7s%n", "figure", "PersonaScope", "peer", "ratio");
        for (Row r : rows) {
            Double mine = ours.get(r.key());
            JsonNode theirs = peer.get(r.key());
            String theirText = theirs != null && theirs.isNumber() ? String.format(Locale.ROOT, "%.2f", theirs.asDouble()) : "-";
            String ratio = mine != null && theirs != null && theirs.isNumber() && theirs.asDouble() > 0
                    ? String.format(Locale.ROOT, "%.2fx", mine / theirs.asDouble()) : "-";
            out.printf(Locale.ROOT, "%-" + width + "s  %12s  %12s  %7s%n", r.label(),
                    mine == null ? "-" : String.format(Locale.ROOT, "%.2f", mine), theirText, ratio);
        }
    }

    /** "transformers 5.18.0 / torch 2.13.0+cpu" from the peer's version fields. */
    public static String describe(JsonNode peer) {
        List<String> parts = new ArrayList<>();
        for (String lib : List.of("transformers", "peft", "torch")) {
            if (peer.hasNonNull(lib)) {
                parts.add(lib + " " + peer.get(lib).asText());
            }
        }
        return parts.isEmpty() ? "peer" : String.join(" / ", parts);
    }
}
