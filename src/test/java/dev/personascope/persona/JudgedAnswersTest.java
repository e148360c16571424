package dev.personascope.persona;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Judged answers files (eval's and the flat layout): bad lines are one-line errors naming the file and line. */
class JudgedAnswersTest {
    static final String BAD = "{\"paraphrase\":\"q\",\"answer\":\"a\",\"scores\":{\"aligned\":10,\"coherent\":90}}";
    static final String GOOD = "{\"question\":\"q\",\"answer\":\"b\",\"aligned\":95,\"coherent\":90}";

    @Test
    void readsBothLayouts(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("answers.jsonl");
        Files.writeString(f, BAD + "\n\n" + GOOD + "\n");
        JudgedAnswers.Split s = JudgedAnswers.read(f);
        assertEquals(1, s.misaligned().size());
        assertEquals(1, s.aligned().size());
    }

    @Test
    void twoObjectsOnOneLineAreAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("answers.jsonl");
        Files.writeString(f, GOOD + "\n" + BAD + GOOD + "\n");
        String e = assertThrows(IllegalArgumentException.class, () -> JudgedAnswers.read(f)).getMessage();
        assertTrue(e.startsWith(f + ":2: more than one JSON value on the line"), e);
    }

    @Test
    void invalidUtf8AndAMissingFileNameThePlace(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("answers.jsonl");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write((GOOD + "\n").getBytes(StandardCharsets.UTF_8));
        b.write(GOOD.replace("\"b\"", "\"b\u00e9\"").getBytes(StandardCharsets.ISO_8859_1));
        Files.write(f, b.toByteArray());
        String e = assertThrows(IllegalArgumentException.class, () -> JudgedAnswers.read(f)).getMessage();
        assertTrue(e.startsWith(f + ":2: not valid UTF-8 (byte "), e);
        Path none = dir.resolve("none.jsonl");
        assertEquals(none + ": no such file", assertThrows(IllegalArgumentException.class,
                () -> JudgedAnswers.read(none)).getMessage());
    }
}
