package dev.personascope.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one JSON-lines reader: strict UTF-8, one value per line, torn last lines only where asked. */
class JsonLinesTest {
    static String error(Path f, JsonLines.Torn torn) {
        String m = assertThrows(IllegalArgumentException.class, () -> JsonLines.read(f, torn)).getMessage();
        assertTrue(!m.contains("\n"), m);
        return m;
    }

    @Test
    void readsLinesWithTheirNumbersSkippingBlankOnesAndCarriageReturns(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.jsonl");
        Files.writeString(f, "\uFEFF{\"a\":1}\r\n\n  \n[2]\n\"three\"");
        JsonLines.Result r = JsonLines.read(f, JsonLines.Torn.ERROR);
        assertEquals(List.of(1, 4, 5), r.lines().stream().map(JsonLines.Line::number).toList());
        assertEquals(1, r.values().get(0).get("a").asInt());
        assertEquals("three", r.values().get(2).asText());
        assertEquals(0, r.torn());
    }

    @Test
    void badLinesNameFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.jsonl");
        Files.writeString(f, "{\"a\":1}\n{\"a\":2} {\"a\":3}\n");
        assertEquals(f + ":2: more than one JSON value on the line (the next starts at column 9; JSON lines hold one"
                + " value per line)", error(f, JsonLines.Torn.DROP));
        Files.writeString(f, "{\"a\":1}\n{\"a\":\n{\"a\":3}\n");
        assertTrue(error(f, JsonLines.Torn.DROP).startsWith(f + ":2: not valid JSON: "));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write("{\"a\":1}\n{\"a\":\"".getBytes(StandardCharsets.UTF_8));
        b.write(0xff);
        b.write("\"}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(f, b.toByteArray());
        assertEquals(f + ":2: not valid UTF-8 (byte 7 of the line is 0xFF); save the file as UTF-8",
                error(f, JsonLines.Torn.ERROR));
        assertEquals(dir.resolve("none.jsonl") + ": no such file", error(dir.resolve("none.jsonl"), JsonLines.Torn.ERROR));
    }

    @Test
    void aTornLastLineIsDroppedOnlyWhenAskedAndOnlyWithoutItsNewline(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("log.jsonl");
        Files.writeString(f, "{\"step\":1}\n{\"step\":2}\n{\"st");
        JsonLines.Result r = JsonLines.read(f, JsonLines.Torn.DROP);
        assertEquals(2, r.lines().size());
        assertEquals(3, r.torn());
        assertTrue(error(f, JsonLines.Torn.ERROR).startsWith(f + ":3: not valid JSON"));
        // a complete bad line (newline written) is not the half line of a crash
        Files.writeString(f, "{\"step\":1}\n{\"st\n");
        assertTrue(error(f, JsonLines.Torn.DROP).startsWith(f + ":2: not valid JSON"));
        // a multi-byte character cut by the crash
        byte[] e = "{\"step\":1}\n{\"t\":\"\u00e9".getBytes(StandardCharsets.UTF_8);
        Files.write(f, java.util.Arrays.copyOf(e, e.length - 1));
        assertEquals(2, JsonLines.read(f, JsonLines.Torn.DROP).torn());
    }

    @Test
    void longFilesAcrossTheReadBuffer(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("long.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append("{\"i\":").append(i).append(",\"t\":\"caf\u00e9 ").append("x".repeat(i % 50)).append("\"}\n");
        }
        Files.writeString(f, sb);
        JsonLines.Result r = JsonLines.read(f, JsonLines.Torn.ERROR);
        assertEquals(20_000, r.lines().size());
        for (int i = 0; i < 20_000; i++) {
            assertEquals(i, r.values().get(i).get("i").asInt());
            assertEquals(i + 1, r.lines().get(i).number());
        }
    }

    @Test
    void aFileWithoutNewlinesIsRefusedNotHeldInMemory(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("one-line.jsonl");
        byte[] big = new byte[JsonLines.MAX_LINE_BYTES + 10];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        Files.write(f, big);
        assertEquals(f + ":1: a line longer than 64 MiB (is this a JSON-lines file, one value per line?)",
                error(f, JsonLines.Torn.DROP));
    }
}
