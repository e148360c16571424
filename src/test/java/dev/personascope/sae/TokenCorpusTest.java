package dev.personascope.sae;

import dev.personascope.model.LanguageModel;
import dev.personascope.testutil.TinyChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Text and chat JSONL corpora from files: bad bytes name the option, file and line. */
class TokenCorpusTest {
    @Test
    void textFilesAreReadLineByLineAndInvalidUtf8NamesTheLine(@TempDir Path dir) throws Exception {
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 1, 16, 1)) {
            Path f = dir.resolve("corpus.txt");
            Files.writeString(f, "save money .\n\nread a book .\nwalk outside !\n");
            List<int[]> docs = TokenCorpus.load(f.toString(), lm, 2, 512, 0);
            assertEquals(2, docs.size());
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write("save money .\nread a b".getBytes(StandardCharsets.UTF_8));
            b.write(0xC3); // a lone lead byte
            b.write(" book .\n".getBytes(StandardCharsets.UTF_8));
            Files.write(f, b.toByteArray());
            assertEquals("--data " + f + ":2: not valid UTF-8 (byte 9 of the line is 0xC3); save the file as UTF-8",
                    assertThrows(IllegalArgumentException.class, () -> TokenCorpus.load(f.toString(), lm, 10, 512, 0))
                            .getMessage());
            Path j = dir.resolve("chat.jsonl");
            Files.writeString(j, "{\"messages\":[{\"role\":\"assistant\",\"content\":\"hi\"}]} {\"messages\":[]}\n");
            assertEquals(j + ":1: more than one JSON value on the line (the next starts at column 52; JSON lines hold"
                    + " one value per line)", assertThrows(IllegalArgumentException.class,
                    () -> TokenCorpus.load(j.toString(), lm, 10, 512, 0)).getMessage());
        }
    }
}
