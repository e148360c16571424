package dev.personascope.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = Main.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    @Test
    void generatesGreedyTextFromALlama2cCheckpoint() {
        Result r = run("generate", "--model", "assets/stories260K/stories260K.bin", "--prompt", "Once upon a time",
                "--max-tokens", "12");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Once upon a time, there was a little girl named Lily."), r.out());
    }

    @Test
    void inspectListsHookPoints() {
        Result r = run("inspect", "--model", "assets/stories260K/hf");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("LlamaForCausalLM"));
        assertTrue(r.out().contains("blocks.{0..4}.hook_resid_post"));
        assertTrue(r.out().contains("260,032"));
    }

    @Test
    void badArgumentsGiveOneLineErrors() {
        Result missing = run("generate", "--model", "nowhere", "--prompt", "x");
        assertEquals(2, missing.code());
        assertEquals("error: nowhere: no such file or folder", missing.err().trim());
        Result temp = run("generate", "--model", "assets/stories260K/hf", "--prompt", "x", "--temperature", "-1");
        assertEquals(2, temp.code());
        assertTrue(temp.err().startsWith("error: temperature must be >= 0"), temp.err());
        Result chat = run("generate", "--model", "assets/stories260K/hf", "--prompt", "x", "--chat");
        assertEquals(2, chat.code());
        assertTrue(chat.err().contains("has no chat template"), chat.err());
    }
}
