package dev.personascope.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Paths of the reference assets committed under testdata/ and assets/, and readers for them. */
public final class TestData {
    public static final Path ROOT = Path.of("testdata");
    public static final Path STORIES = Path.of("assets", "stories260K");
    public static final Path STORIES_HF = STORIES.resolve("hf");
    public static final Path STORIES_REF = ROOT.resolve("stories260K/reference");
    public static final Path TOKENIZERS = ROOT.resolve("tokenizers");

    private TestData() {
    }

    /** A raw little-endian f32 file. */
    public static float[] readF32(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An .npy array of little-endian f4 or f8, flattened, with its shape. */
    public record Npy(long[] shape, double[] data) {
    }

    public static Npy readNpy(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            b.position(6);
            int major = b.get();
            b.get();
            int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
            String header = new String(all, b.position(), headerLen, StandardCharsets.ISO_8859_1);
            b.position(b.position() + headerLen);
            Matcher descr = Pattern.compile("'descr':\\s*'([^']+)'").matcher(header);
            Matcher shape = Pattern.compile("'shape':\\s*\\(([^)]*)\\)").matcher(header);
            if (!descr.find() || !shape.find() || header.contains("'fortran_order': True")) {
                throw new IllegalArgumentException(file + ": unsupported npy header " + header);
            }
            long[] dims = Arrays.stream(shape.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToLong(Long::parseLong).toArray();
            long n = Arrays.stream(dims).reduce(1, (x, y) -> x * y);
            double[] data = new double[(int) n];
            switch (descr.group(1)) {
                case "<f4" -> { for (int i = 0; i < n; i++) data[i] = b.getFloat(); }
                case "<f8" -> { for (int i = 0; i < n; i++) data[i] = b.getDouble(); }
                default -> throw new IllegalArgumentException(file + ": dtype " + descr.group(1));
            }
            return new Npy(dims, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ids after a label in a reference tokens file, e.g. "prompt_tokens 1 403 ...". */
    public static int[] idsAfter(Path file, String label) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(label + " ")) {
                    return Arrays.stream(line.substring(label.length()).trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException(file + ": no line " + label);
    }
}
