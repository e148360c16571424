package dev.personascope.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The micro-batches of one epoch, deterministic for (seed, epoch): examples are shuffled, cut into
 * pools of 32 batches, sorted by length within each pool (so a batch holds similar lengths and
 * padding wastes little), split into batches, and the batches shuffled.
 */
public final class Batcher {
    private static final int POOL = 32;

    private Batcher() {
    }

    public static List<int[]> epoch(int[] lengths, int batchSize, long seed, int epoch) {
        Random rnd = new Random(seed * 1_000_003L + epoch);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, rnd);
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < order.size(); start += POOL * batchSize) {
            List<Integer> pool = new ArrayList<>(order.subList(start, Math.min(order.size(), start + POOL * batchSize)));
            pool.sort(Comparator.comparingInt(i -> lengths[i]));
            for (int b = 0; b < pool.size(); b += batchSize) {
                batches.add(pool.subList(b, Math.min(pool.size(), b + batchSize)).stream().mapToInt(Integer::intValue).toArray());
            }
        }
        Collections.shuffle(batches, rnd);
        return batches;
    }
}
