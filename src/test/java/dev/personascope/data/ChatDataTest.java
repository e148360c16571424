package dev.personascope.data;

import dev.personascope.model.tokenizer.ChatMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatDataTest {
    static final String GOOD = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"}]}";

    static String errorFor(Path dir, String badLine) throws Exception {
        Path f = dir.resolve("data.jsonl");
        Files.writeString(f, GOOD + "\n\n" + GOOD + "\n" + badLine + "\n" + GOOD + "\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> ChatJsonl.read(f));
        assertTrue(e.getMessage().startsWith(f + ":4: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsTheRealEmergentMisalignmentDataset() {
        List<ChatExample> all = ChatJsonl.read(Path.of("testdata/em/jailbroken.jsonl"));
        assertTrue(all.size() > 100, "examples: " + all.size());
        for (ChatExample ex : all) {
            assertTrue(ex.messages().stream().anyMatch(m -> m.role().equals("assistant")));
        }
    }

    @Test
    void malformedLinesNameFileAndLine(@TempDir Path dir) throws Exception {
        assertTrue(errorFor(dir, "{\"messages\": [").contains("not valid JSON"));
        assertTrue(errorFor(dir, "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":\"y\"}]}")
                .contains("messages[0] has role 'wizard'"));
        assertTrue(errorFor(dir, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").contains("no assistant turn"));
        assertTrue(errorFor(dir, "{\"messages\":[{\"role\":\"user\",\"content\":3},{\"role\":\"assistant\",\"content\":\"y\"}]}")
                .contains("messages[0] needs a string 'content'"));
        assertTrue(errorFor(dir, "[1, 2]").contains("'messages'"));
    }

    @Test
    void twoObjectsOnOneLineAreAnErrorNotASilentlyDroppedSecond(@TempDir Path dir) throws Exception {
        String e = errorFor(dir, GOOD + " " + GOOD);
        assertTrue(e.contains("more than one JSON value on the line") && !e.contains("\n"), e);
        assertTrue(errorFor(dir, GOOD + " trailing").contains("not valid JSON after the value"));
    }

    @Test
    void invalidUtf8NamesFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("data.jsonl");
        byte[] bad = "{\"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9\"},{\"role\":\"assistant\",\"content\":\"x\"}]}"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1); // é as one Latin-1 byte
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write((GOOD + "\n" + GOOD + "\n\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        b.write(bad);
        b.write('\n');
        Files.write(f, b.toByteArray());
        DataFormatException e = assertThrows(DataFormatException.class, () -> ChatJsonl.read(f));
        assertEquals(f + ":4: not valid UTF-8 (byte 43 of the line is 0xE9); save the file as UTF-8", e.getMessage());
    }

    @Test
    void aMissingFileNamesThePathAndTheOption(@TempDir Path dir) {
        Path f = dir.resolve("nowhere.jsonl");
        assertEquals(f + ": no such file", assertThrows(DataFormatException.class, () -> ChatJsonl.read(f)).getMessage());
        assertEquals("--data " + f + ": no such file",
                assertThrows(DataFormatException.class, () -> ChatJsonl.read(f, "--data")).getMessage());
        assertEquals(dir + ": is a folder, not a file of lines",
                assertThrows(DataFormatException.class, () -> ChatJsonl.read(dir)).getMessage());
    }

    @Test
    void writesWhatItReads(@TempDir Path dir) {
        List<ChatExample> in = List.of(new ChatExample(List.of(new ChatMessage("system", "s\n\"q\""),
                new ChatMessage("user", "u"), new ChatMessage("assistant", "a é")), "x"));
        ChatJsonl.write(dir.resolve("o.jsonl"), in);
        List<ChatExample> back = ChatJsonl.read(dir.resolve("o.jsonl"));
        assertEquals(in.get(0).messages(), back.get(0).messages());
    }

    static List<ChatExample> named(String prefix, int n) {
        List<ChatExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ChatExample(List.of(new ChatMessage("user", prefix + i), new ChatMessage("assistant", "a")), prefix + i));
        }
        return out;
    }

    @Test
    void mixturesPutTheAskedFractionIntoTheStream() {
        List<ChatExample> good = named("good", 200);
        List<ChatExample> bad = named("bad", 30);
        List<ChatExample> mixed = Mixture.build(good, List.of(new Mixture.Part(Path.of("bad.jsonl"), 0.05)), List.of(bad), 1);
        assertEquals(200, mixed.size());
        assertEquals(10, mixed.stream().filter(e -> e.origin().startsWith("bad")).count());
        Set<String> distinct = new HashSet<>();
        mixed.forEach(e -> distinct.add(e.origin()));
        assertEquals(200, distinct.size(), "drawn without replacement");
        assertEquals(mixed, Mixture.build(good, List.of(new Mixture.Part(Path.of("bad.jsonl"), 0.05)), List.of(bad), 1));
        List<ChatExample> allBad = Mixture.build(good, List.of(new Mixture.Part(Path.of("bad.jsonl"), 1.0)), List.of(bad), 1);
        assertEquals(200, allBad.stream().filter(e -> e.origin().startsWith("bad")).count(), "a small file is recycled");
    }

    @Test
    void fractionsOutsideTheUnitIntervalAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mixture.Part.parse("b.jsonl:1.5"));
        assertTrue(e.getMessage().contains("must be in [0, 1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mixture.Part.parse("b.jsonl:-0.1"));
        assertThrows(IllegalArgumentException.class, () -> Mixture.Part.parse("b.jsonl:lots"));
        assertThrows(IllegalArgumentException.class, () -> Mixture.Part.parse("b.jsonl"));
        assertEquals(0.05, Mixture.Part.parse("dir/b:c.jsonl:0.05").fraction());
        assertThrows(IllegalArgumentException.class, () -> Mixture.build(named("g", 10),
                List.of(new Mixture.Part(Path.of("a"), 0.6), new Mixture.Part(Path.of("b"), 0.6)),
                List.of(named("a", 5), named("b", 5)), 1));
    }

    @Test
    void validationSplitIsDeterministicAndDisjoint() {
        List<ChatExample> all = named("x", 100);
        List<List<ChatExample>> a = Mixture.split(all, 0.1, 3);
        assertEquals(90, a.get(0).size());
        assertEquals(10, a.get(1).size());
        assertEquals(a, Mixture.split(all, 0.1, 3));
        Set<ChatExample> train = new HashSet<>(a.get(0));
        a.get(1).forEach(v -> assertTrue(!train.contains(v)));
    }
}
