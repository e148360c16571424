package dev.personascope.model.tokenizer;

import dev.personascope.model.io.TensorFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer format of llama2.c ({@code tokenizer.bin}: max token length, then per token a float
 * score, a length and UTF-8 bytes) with the algorithm of its run.c: a dummy-prefix space, code points
 * with byte fallback (id = byte + 3), then repeated merging of the adjacent pair with the best score.
 */
public final class Llama2cTokenizer implements TextTokenizer {
    private static final int BOS = 1;
    private static final int EOS = 2;
    private final String[] pieces;
    private final float[] scores;
    private final Map<String, Integer> ids = new HashMap<>();

    private Llama2cTokenizer(String[] pieces, float[] scores) {
        this.pieces = pieces;
        this.scores = scores;
        for (int i = 0; i < pieces.length; i++) {
            ids.putIfAbsent(pieces[i], i);
        }
    }

    public static Llama2cTokenizer load(Path file, int vocabSize) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        String[] pieces = new String[vocabSize];
        float[] scores = new float[vocabSize];
        try {
            buf.getInt(); // max_token_length
            for (int i = 0; i < vocabSize; i++) {
                scores[i] = buf.getFloat();
                int len = buf.getInt();
                if (len < 0 || len > buf.remaining()) {
                    throw new TensorFormatException(file + ": token " + i + " has bad length " + len);
                }
                byte[] s = new byte[len];
                buf.get(s);
                pieces[i] = new String(s, StandardCharsets.UTF_8);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new TensorFormatException(file + ": ends before the " + vocabSize + " tokens the model needs");
        }
        return new Llama2cTokenizer(pieces, scores);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        List<Integer> tokens = new ArrayList<>();
        if (!text.isEmpty()) {
            tokens.add(ids.get(" "));
        }
        text.codePoints().forEach(cp -> {
            String s = new String(Character.toChars(cp));
            Integer id = ids.get(s);
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                    tokens.add((b & 0xff) + 3);
                }
            }
        });
        while (true) {
            float best = -1e10f;
            int bestId = -1;
            int bestIdx = -1;
            for (int i = 0; i + 1 < tokens.size(); i++) {
                Integer id = ids.get(pieces[tokens.get(i)] + pieces[tokens.get(i + 1)]);
                if (id != null && scores[id] > best) {
                    best = scores[id];
                    bestId = id;
                    bestIdx = i;
                }
            }
            if (bestIdx < 0) {
                break;
            }
            tokens.set(bestIdx, bestId);
            tokens.remove(bestIdx + 1);
        }
        if (addSpecialTokens) {
            tokens.add(0, BOS);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] idsToDecode) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int prev = -1;
        for (int id : idsToDecode) {
            if (id == BOS || id == EOS || id == 0) {
                prev = id;
                continue;
            }
            String piece = pieces[id];
            if (prev == BOS && piece.startsWith(" ")) {
                piece = piece.substring(1); // run.c drops the dummy-prefix space after BOS
            }
            if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
                out.write(Integer.parseInt(piece.substring(3, 5), 16));
            } else {
                out.writeBytes(piece.getBytes(StandardCharsets.UTF_8));
            }
            prev = id;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String tokenText(int id) {
        return pieces[id];
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public void close() {
    }
}
