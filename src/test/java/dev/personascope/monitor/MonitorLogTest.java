package dev.personascope.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** monitor.jsonl on resume: the half line of a crash goes; a bad line before the end is an error, not lost lines. */
class MonitorLogTest {
    static String line(int step) {
        return "{\"step\":" + step + ",\"values\":{\"v\":0.5},\"z\":{\"v\":null},\"alarms\":[]}";
    }

    @Test
    void aTornLastLineIsDroppedOnResume(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("monitor.jsonl");
        Files.writeString(f, line(0) + "\n" + line(10) + "\n" + line(20) + "\n{\"step\":30,\"val");
        assertEquals(2, new MonitorLog(f).keepUpTo(10).size());
        assertEquals(line(0) + "\n" + line(10) + "\n", Files.readString(f));
    }

    @Test
    void aBadLineInTheMiddleIsAnErrorAndTheLogIsKept(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("monitor.jsonl");
        String text = line(0) + "\n{\"step\":10,\"val\n" + line(20) + "\n" + line(30) + "\n";
        Files.writeString(f, text);
        String e = assertThrows(IllegalArgumentException.class, () -> new MonitorLog(f).keepUpTo(30)).getMessage();
        assertTrue(e.startsWith(f + ":2: not valid JSON"), e);
        assertEquals(text, Files.readString(f), "nothing rewritten");
        Files.writeString(f, line(0) + "\n" + line(10) + line(20) + "\n");
        e = assertThrows(IllegalArgumentException.class, () -> new MonitorLog(f).keepUpTo(30)).getMessage();
        assertTrue(e.startsWith(f + ":2: more than one JSON value"), e);
    }
}
