package dev.personascope.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training log after a kill -9: a half-written last line is dropped, every complete line kept. */
class TrainLogTest {
    static final String THREE = "{\"step\":1,\"loss\":2.5}\n{\"step\":2,\"loss\":2.25}\n{\"step\":2,\"val_loss\":2.3}\n"
            + "{\"step\":3,\"loss\":2.0}\n";

    @Test
    void aTornLastLineDoesNotBlockTruncationAndCompleteLinesStay(@TempDir Path dir) throws Exception {
        for (String torn : List.of("{\"step\":4,\"lo", "{\"step\":4,\"loss\":1.9", "{\"step\":4,\"lo\n", "{\"st\u0000\u0000\u0000")) {
            Path f = dir.resolve("train_log.jsonl");
            Files.writeString(f, THREE + torn);
            new TrainLog(f).truncateAfter(10);
            assertEquals(THREE, Files.readString(f), "torn line " + torn);
            Files.writeString(f, THREE + torn);
            new TrainLog(f).truncateAfter(2); // a checkpoint at step 2: its lines stay, later ones go, as before
            assertEquals("{\"step\":1,\"loss\":2.5}\n{\"step\":2,\"loss\":2.25}\n{\"step\":2,\"val_loss\":2.3}\n", Files.readString(f));
            Files.writeString(f, THREE + torn);
            assertEquals(4, TrainLog.read(f).size(), "read leaves the torn line out too");
        }
    }

    @Test
    void aCompleteLastLineWithoutItsNewlineIsKept(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("train_log.jsonl");
        Files.writeString(f, THREE + "{\"step\":4,\"loss\":1.5}");
        new TrainLog(f).truncateAfter(10);
        assertEquals(THREE + "{\"step\":4,\"loss\":1.5}\n", Files.readString(f));
        List<TrainLog.Entry> lines = TrainLog.read(f);
        assertEquals(1.5, lines.get(4).loss());
        assertEquals(2.3, lines.get(2).valLoss());
        assertNull(lines.get(2).loss());
    }

    @Test
    void aBrokenLineBeforeTheLastIsAnErrorNamingFileLineAndCause(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("train_log.jsonl");
        Files.writeString(f, "{\"step\":1,\"loss\":2.5}\n{\"step\":2,\"lo\n{\"step\":3,\"loss\":2.0}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainLog(f).truncateAfter(10));
        assertTrue(e.getMessage().startsWith(f + ":2: not valid JSON: "), e.getMessage());
        assertEquals(e.getMessage(), assertThrows(IllegalArgumentException.class, () -> TrainLog.read(f)).getMessage());
        Files.writeString(f, "{\"step\":1,\"loss\":2.5}\n[1, 2]\n{\"step\":3,\"loss\":2.0}\n");
        e = assertThrows(IllegalArgumentException.class, () -> new TrainLog(f).truncateAfter(10));
        assertEquals(f + ":2: expected a JSON object with an integer 'step'", e.getMessage());
        Files.writeString(f, "{\"step\":1,\"loss\":2.5}{\"step\":2,\"loss\":2.0}\n{\"step\":3,\"loss\":2.0}\n");
        e = assertThrows(IllegalArgumentException.class, () -> new TrainLog(f).truncateAfter(10));
        assertTrue(e.getMessage().startsWith(f + ":1: more than one JSON value on the line"), e.getMessage());
        Files.write(f, new byte[] {'{', '"', 's', (byte) 0xff, '"', ':', '1', '}', '\n', '{', '}', '\n'});
        e = assertThrows(IllegalArgumentException.class, () -> new TrainLog(f).truncateAfter(10));
        assertEquals(f + ":1: not valid UTF-8", e.getMessage());
    }

    @Test
    void blankLinesAreSkippedAndAMissingLogIsNothingToDo(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("train_log.jsonl");
        new TrainLog(f).truncateAfter(3);
        assertTrue(!Files.exists(f));
        Files.writeString(f, "{\"step\":1,\"loss\":2.5}\n\n{\"step\":2,\"loss\":2.0}\n\n");
        new TrainLog(f).truncateAfter(3);
        assertEquals("{\"step\":1,\"loss\":2.5}\n{\"step\":2,\"loss\":2.0}\n", Files.readString(f));
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> TrainLog.read(dir.resolve("none.jsonl")));
        assertEquals("cannot read " + dir.resolve("none.jsonl") + ": no such file", e.getMessage());
    }
}
