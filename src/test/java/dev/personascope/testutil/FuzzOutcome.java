package dev.personascope.testutil;

import dev.personascope.util.OneLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

/**
 * What a fuzz target may do with any input: return (the caller then checks the values it returned) or
 * refuse it with one of the project's one-line errors, quickly. Anything else (another exception, an
 * error such as StackOverflowError, a message over several lines, more than {@link #MAX_MILLIS}) fails.
 */
public final class FuzzOutcome {
    /** Longer than this for one input of a few KB counts as a hang. */
    public static final long MAX_MILLIS = 5_000;

    private FuzzOutcome() {
    }

    /**
     * Runs {@code parse} on one fuzz input: its result, or null when it threw one of {@code refusals} with a
     * non-empty one-line message (as the command line prints it after "error: ").
     */
    @SafeVarargs
    public static <T> T parse(Callable<T> parse, Class<? extends RuntimeException>... refusals) {
        long start = System.nanoTime();
        T result = null;
        RuntimeException refused = null;
        try {
            result = parse.call();
        } catch (RuntimeException e) {
            if (!isOneOf(e, refusals)) {
                throw e;
            }
            refused = e;
        } catch (Exception e) {
            throw new AssertionError("checked exception from a parser: " + e, e);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (millis > MAX_MILLIS) {
            throw new AssertionError("one input took " + millis + " ms", refused);
        }
        if (refused != null) {
            checkOneLine(refused.getMessage(), refused);
        }
        return result;
    }

    /**
     * Fails unless {@code message} says something, on the one line the command line prints it on
     * ({@link OneLine#of}: line breaks echoed from the input, e.g. in a JSON key, are escaped there).
     */
    public static void checkOneLine(String message, Throwable cause) {
        if (message == null || message.isBlank()) {
            throw new AssertionError("refused without a message", cause);
        }
        String printed = OneLine.of(message);
        if (printed.indexOf('\n') >= 0 || printed.indexOf('\r') >= 0 || printed.isBlank()) {
            throw new AssertionError("message not printed as one line: " + message, cause);
        }
    }

    private static boolean isOneOf(RuntimeException e, Class<? extends RuntimeException>[] types) {
        for (Class<? extends RuntimeException> t : types) {
            if (t.isInstance(e)) {
                return true;
            }
        }
        return false;
    }

    /** The exceptions the command line prints as one "error: ..." line (cli.Main's handler). */
    @SuppressWarnings("unchecked")
    public static final Class<? extends RuntimeException>[] CLI_ERRORS = new Class[] {
        dev.personascope.model.io.TensorFormatException.class, IllegalArgumentException.class,
        IllegalStateException.class, UncheckedIOException.class};

    /** A fresh temporary folder for one fuzz class's input files. */
    public static Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one input as the file a parser reads. */
    public static Path write(Path file, byte[] data) {
        try {
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
