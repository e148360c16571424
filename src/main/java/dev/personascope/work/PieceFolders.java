package dev.personascope.work;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a job keeps its pieces' outputs until they are merged: {@code OUT/pieces-HASH}, HASH a digest of the
 * settings the pieces depend on, so that pieces left by an interrupted run with other settings are never taken for
 * this run's.
 */
public final class PieceFolders {
    private PieceFolders() {
    }

    /** {@code out/pieces-HASH} for these settings (any text that changes when they do, e.g. their JSON). */
    public static Path of(Path out, String settings) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(settings.getBytes(StandardCharsets.UTF_8));
            return out.resolve("pieces-" + HexFormat.of().formatHex(d, 0, 6));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
