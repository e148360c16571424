package dev.personascope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every command's and subcommand's usage help renders without picocli warnings. picocli formats descriptions with
 * {@code String.format}, so a bare "%" ("95% intervals") makes it print "[picocli WARN] Could not format ..." on stderr
 * and show the raw text (with its "%n" and "%%" left in); a literal percent sign must be written "%%".
 */
class UsageHelpTest {
    /** What is left of a format string when picocli could not format it. */
    static final Pattern UNFORMATTED = Pattern.compile("%%|%n|%[-#+ 0,(]*\\d*(\\.\\d+)?[sdfx]\\b");

    /** Prints the usage help of every command in the tree, each followed by a line "-- END personascope sub ...". */
    public static final class Dump {
        public static void main(String[] args) {
            dump(Main.commandLine());
        }

        private static void dump(CommandLine cl) {
            System.out.print(cl.getUsageMessage(CommandLine.Help.Ansi.OFF));
            System.out.println("-- END " + cl.getCommandSpec().qualifiedName());
            cl.getSubcommands().values().stream().distinct().forEach(Dump::dump);
        }
    }

    private static long count(CommandLine cl) {
        return 1 + cl.getSubcommands().values().stream().distinct().mapToLong(UsageHelpTest::count).sum();
    }

    @Test
    void everyCommandsHelpRendersWithoutWarnings(@TempDir Path dir) throws Exception {
        CliProcess.Result r = CliProcess.java(dir, Dump.class.getName());

        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err(), "picocli wrote to stderr while rendering usage help");
        long commands = r.out().lines().filter(l -> l.startsWith("-- END ")).count();
        assertEquals(count(Main.commandLine()), commands, r.out());
        Matcher m = UNFORMATTED.matcher(r.out());
        assertFalse(m.find(), () -> "unformatted '" + m.group() + "' in usage help near: "
                + r.out().substring(Math.max(0, m.start() - 200), Math.min(r.out().length(), m.end() + 100)));
    }
}
