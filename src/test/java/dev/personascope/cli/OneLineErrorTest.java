package dev.personascope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Found by AdapterConfigFuzzTest: a name from the input with a line break in it must not break the error line. */
class OneLineErrorTest {
    @Test
    void aLineBreakInATensorNameStaysOnTheErrorLine(@TempDir Path tmp) throws IOException {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        Files.copy(Path.of("assets/stories260K/hf/config.json"), model.resolve("config.json"));
        byte[] header = "{\"a\\nb\": {}}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header);
        Files.write(model.resolve("model.safetensors"), file.array());

        CliTest.Result r = CliTest.run("inspect", "--model", model.toString());

        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("error: ") && err.contains("tensor 'a\\nb' lacks dtype"), err);
    }
}
