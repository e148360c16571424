package dev.personascope.persona;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PersonaMathTest {
    @Test
    void aurocCountsPairsAndTiesHalf() {
        assertEquals(1.0, Auroc.of(new double[] {3, 4}, new double[] {1, 2}), 1e-12);
        assertEquals(0.0, Auroc.of(new double[] {1, 2}, new double[] {3, 4}), 1e-12);
        // pairs: (2>1) (2=2 half) (2<3) (5>1) (5>2) (5>3) -> 4.5 / 6
        assertEquals(4.5 / 6, Auroc.of(new double[] {2, 5}, new double[] {1, 2, 3}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Auroc.of(new double[0], new double[] {1}));
    }

    @Test
    void diffRanksByEachRanking() {
        LatentStats base = new LatentStats(3);
        LatentStats tuned = new LatentStats(3);
        // latent 0: large raw increase on few tokens; latent 1: fires on every token a little more; latent 2: drops
        float[][] b = {{0, 1, 1}, {0, 1, 1}, {0, 1, 1}, {0, 1, 1}};
        float[][] t = {{8, 1.5f, 0}, {0, 1.5f, 0}, {0, 1.5f, 0}, {0, 1.5f, 0}};
        base.add(b);
        tuned.add(t);
        LatentStats differences = new LatentStats(3);
        differences.add(ModelDiff.difference(t, b));
        List<ModelDiff.Row> rows = ModelDiff.compare(base, tuned, differences, new double[3]);
        // paired: latent 0's difference is 8 on one token of four (mean 2, sd 3.46); latent 1's is 0.5 on every token
        assertEquals(Math.sqrt(3) * 2, rows.get(0).differenceStd(), 1e-6);
        assertEquals(0.0, rows.get(1).differenceStd(), 1e-6);
        assertEquals(1, ModelDiff.rank(rows, ModelDiff.Ranking.PAIRED, true).get(0).latent());
        assertEquals(1, ModelDiff.rankOf(rows, ModelDiff.Ranking.MEAN, 0));
        assertEquals(2.0, rows.get(0).increase(), 1e-9);
        assertEquals(0.25, rows.get(0).frequencyChange(), 1e-9);
        assertEquals(0, ModelDiff.rank(rows, ModelDiff.Ranking.MEAN, true).get(0).latent());
        assertEquals(2, ModelDiff.rank(rows, ModelDiff.Ranking.MEAN, false).get(0).latent());
        assertEquals(1, ModelDiff.rankOf(rows, ModelDiff.Ranking.MEAN, 0));
        assertEquals(3, ModelDiff.rankOf(rows, ModelDiff.Ranking.FREQUENCY, 2));
        assertTrue(rows.get(1).normalized() > 0);
    }

    @Test
    void directionsAndSpecs() {
        Direction a = new Direction("a", "blocks.0.hook_resid_post", new float[] {3, 4});
        assertEquals(5.0, a.norm(), 1e-9);
        assertEquals(1.0, a.cosine(new Direction("b", "x", new float[] {6, 8})), 1e-6);
        Direction r1 = Direction.random("h", 16, 7);
        assertEquals(1.0, r1.norm(), 1e-5);
        assertEquals(r1.vector()[3], Direction.random("h", 16, 7).vector()[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DirectionSpec.parse("sae:/nope", null, 16));
        assertTrue(e.getMessage().contains("sae:DIR#LATENT"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DirectionSpec.parse("random:1", null, 16));
        assertEquals(16, DirectionSpec.parse("random:1", "blocks.0.hook_resid_post", 16).dModel());
    }

    @Test
    void vectorFileRoundTripsAndNamesBadFields(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Direction d = new Direction("v", "blocks.1.hook_resid_post", new float[] {1, -2, 0.5f});
        java.nio.file.Path f = dir.resolve("v.json");
        VectorFile.write(f, d, null);
        Direction back = VectorFile.read(f);
        assertEquals(d.hook(), back.hook());
        assertEquals(-2f, back.vector()[1]);
        java.nio.file.Files.writeString(f, "{\"hook\":\"blocks.1.hook_resid_post\",\"vector\":[1,\"x\"]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorFile.read(f));
        assertTrue(e.getMessage().contains("vector[1]"), e.getMessage());
    }

    @Test
    void vectorFilesWithValuesOutsideFloat32OrNaNAreRefusedByField(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path f = dir.resolve("v.json");
        java.util.Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("[1, 1e39, 0]", ": vector[1] is 1.0E39, outside float32's range (about 3.4e38)");
        cases.put("[1, -1e39, 0]", ": vector[1] is -1.0E39, outside float32's range (about 3.4e38)");
        cases.put("[1, 2, NaN]", ": vector[2] is NaN (a direction must be finite numbers)");
        cases.put("[Infinity, 2, 3]", ": vector[0] is Infinity (a direction must be finite numbers)");
        cases.put("[0, 0, 0]", ": vector is all zeros (no direction)");
        for (var c : cases.entrySet()) {
            java.nio.file.Files.writeString(f, "{\"hook\":\"blocks.1.hook_resid_post\",\"vector\":" + c.getKey() + "}");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorFile.read(f), c.getKey());
            assertEquals(f + c.getValue(), e.getMessage());
        }
        Direction nan = new Direction("v", "blocks.1.hook_resid_post", new float[] {1, Float.NaN});
        assertEquals("cannot write " + f + ": component 1 of v is NaN (a direction must be finite numbers)",
                assertThrows(IllegalArgumentException.class, () -> VectorFile.write(f, nan, null)).getMessage());
        java.nio.file.Files.writeString(f, "{\"hook\":\"blocks.1.hook_resid_post\",\"d_model\":4,\"vector\":[1,2,3]}");
        assertEquals(f + ": field 'd_model' is 4 but 'vector' has 3 numbers",
                assertThrows(IllegalArgumentException.class, () -> VectorFile.read(f)).getMessage());
    }
}
